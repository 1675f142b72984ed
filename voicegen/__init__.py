"""Development-time generator of posecoach's natural-voice clips (Piper, joe voice); see README.md."""
