"""Hands-free control: spoken (and gesture) commands as timestamped events.

Pure Python + numpy; the speech engine (PocketSphinx) is optional and imported only when voice
commands are used. No cv2 or mediapipe here.
"""
