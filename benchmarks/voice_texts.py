"""Texts for the spoken-command test corpus (benchmarks/voice_corpus.py); no audio code here.

Commands are said alone or in a short carrier phrase. Distractor sentences never contain a command
word (or a word starting with one: "paused", "painful", "stopping"), so any detection in them is a
false trigger; many hold near-misses ("post", "rain", "text", "shop", "presume", "couch").
"""
from __future__ import annotations

import re

COMMAND_WORDS = ("pause", "resume", "next", "stop", "pain", "ouch", "start", "switch")

# (text, is the word alone). Word alone lets latency be measured from the word's end.
CARRIERS: dict[str, list[str]] = {
    "pause": ["pause", "pause", "pause please", "okay, pause"],
    "resume": ["resume", "resume", "resume please", "okay, resume"],
    "next": ["next", "next", "next please", "okay, next"],
    "stop": ["stop", "stop", "stop please", "okay, stop"],
    "pain": ["pain", "pain", "pain!", "I'm in pain"],
    "ouch": ["ouch", "ouch", "ouch!", "ouch, that hurts"],
    "start": ["start", "start", "start please", "okay, start"],
    "switch": ["switch", "switch", "switch please", "okay, switch"],
}

SENTENCES = [
    "The weather is lovely today, we could walk to the park after lunch.",
    "Could you pass me the water bottle on the table?",
    "I think the post arrives a bit later on Saturdays.",
    "It looks like rain this afternoon, so take a coat.",
    "Did you get my text about the dinner on Friday?",
    "We need to go to the shop for milk and bread.",
    "I presume the meeting was moved to Thursday morning.",
    "The cat is asleep on the couch again.",
    "My knee feels much better than it did last week.",
    "Let me know when the kettle has boiled.",
    "The children are playing in the garden with the dog.",
    "Honestly, I could use a cup of tea right about now.",
    "The train was late because of the snow on the tracks.",
    "She said the new neighbours moved in on Monday.",
    "Turn the music down a little, it is too loud.",
    "I have to call the dentist before five o'clock.",
    "That was a good film, but the ending was strange.",
    "We should paint the hallway a lighter colour.",
    "The plumber is coming round at ten tomorrow.",
    "Remember to water the plants while I am away.",
    "Is it cold in here, or is it just me?",
    "I left my glasses somewhere in the kitchen.",
    "The bus goes past the corner every twenty minutes.",
    "Have you seen the remote control anywhere?",
    "My sister is visiting us next month.".replace("next", "this"),
    "The phone has been ringing all morning.",
    "Put the towels in the dryer when the wash is done.",
    "There is a small spot on the top of the table.",
    "I assume you already fed the fish.",
    "The soup needs a little more salt and pepper.",
    "We walked along the beach until the sun went down.",
    "Can you open the window, it is getting warm.",
    "The football match was a draw in the end.",
    "Breathe in slowly through your nose and out through your mouth.",
    "My back is a bit stiff after sitting all day at the desk.",
    "The physio said to do these exercises every morning.",
    "I will hold this for another half a minute.",
    "Keep your shoulders relaxed and your chin tucked.",
    "This mat is softer than the old one.",
    "Right, where did I put the ball?",
    "I feel the stretch in the front of my hip now.",
    "Let me check the timer on the screen.",
    "Is the camera still recording me?",
    "My legs are tired, it has been a long day.",
    "That felt good, I can really feel it working.",
    "Hang on, my phone is buzzing.",
    "Sorry, the dog wants to go out.",
    "Okay, I am back, where were we?",
    "Can you hear the neighbours drilling again?",
    "The postman knocked, I will get it later.",
    "The potatoes are in the oven for another hour.",
    "We booked a table for seven at the restaurant.",
    "Please bring the laundry in before it gets dark.",
    "Your appointment is on the twelfth at half past two.",
    "The library closes early on Wednesdays.",
    "He parked the car across the road by the bakery.",
    "The baby finally went to sleep.",
    "I need new batteries for the clock in the hall.",
    "We could go swimming at the weekend.",
    "The garden fence blew over in the storm.",
    "Did anyone remember to buy coffee?",
    "I am going to lie down on my back for a bit.",
    "Put your hands on your belly and let it rise.",
    "The lamp in the bedroom needs a new bulb.",
    "She plays the piano beautifully.",
    "We watched the birds at the feeder all morning.",
    "That is the best pasta I have had in ages.",
    "Let us try that again, a bit more slowly.",
    "Oh, I almost forgot to tell you about the party.",
    "Can you show me that exercise one more time?",
    "The traffic was terrible on the way home.",
    "I presume the shop is open on Sunday.",
    "Knock on the door if you need anything.",
    "Plenty of people walk their dogs here in the evening.",
    "The grass is wet, so mind your step.",
    "I found a penny on the pavement.",
    "The couch cushions need a good wash.",
    "We should plant tomatoes this spring.",
    "The stars are bright tonight.",
    "My watch says it is a quarter to nine.",
]

_COMMANDISH = re.compile(r"\b(paus(e|es|ed|ing)|resum(e|es|ed|ing)|next|stop(s|ped|ping)?|pain(s|ful|fully)?|ouch"
    r"|start(s|ed|ing)?|switch(es|ed|ing)?)\b", re.I)


def has_command_word(text: str) -> bool:
    """True when `text` holds a command word or a word starting with one (negatives must not)."""
    return bool(_COMMANDISH.search(text))


def doc_sentences(text: str, min_words: int = 5, max_words: int = 22) -> list[str]:
    """Plain sentences out of a Markdown document (tables, code and headings dropped), for
    exercise-flavoured distractor speech."""
    paragraphs, cur = [], []
    for line in text.splitlines() + [""]:
        line = line.strip()
        if not line or line[0] in "#|`>" or line.startswith("```"):
            if cur:
                paragraphs.append(" ".join(cur))
            cur = []
        else:
            cur.append(re.sub(r"[*_`\[\]()\"]", "", line.lstrip("-0123456789. ")))
    out = []
    for para in paragraphs:
        for s in re.split(r"(?<=[.!?;:])\s+", para):
            words = s.split()
            if min_words <= len(words) <= max_words and not has_command_word(s) and not re.search(r"[=<>/\\{}#]|--", s):
                out.append(s)
    return out


assert not any(has_command_word(s) for s in SENTENCES), [s for s in SENTENCES if has_command_word(s)]

# Second corpus (benchmarks/voice_corpus_alone.py): every candidate said on its own, including
# two-word and longer candidates, and short everyday utterances that are not commands. The short
# negatives differ between dev and held-out (held-out words were never seen while tuning).
ALONE_CANDIDATES = ("pause", "resume", "next", "stop", "pain", "ouch", "start", "switch",
                    "it hurts", "that hurts", "continue", "switch sides", "stop now")
SHORT_NEGATIVES = {
    "dev": ["yes", "no", "okay", "right", "hello", "thanks", "wait", "sorry", "post", "shop", "couch",
            "top", "paint", "rain", "one more", "good", "nice", "hmm", "oh dear", "alright", "hang on",
            "what?", "really?", "come here", "not now", "well done", "three", "ten", "almost", "nearly there",
            "presume", "text me", "pose", "spot on", "house", "just a sec"],
    "heldout": ["sure", "maybe", "great", "thank you", "fine", "perfect", "boss", "step", "star", "room",
                "out", "cool", "oops", "wow", "hi", "bye", "later", "yeah", "nope", "lunch", "phone", "hurry",
                "push", "breathe", "knee", "pass", "necks", "shot", "chop", "stuff", "top up",
                "hold on", "come on", "one sec", "hurray", "perhaps", "nine", "dessert"],
}
assert not any(has_command_word(s) for v in SHORT_NEGATIVES.values() for s in v)
