"""Hands-free control: commands read from the pose (gestures) or heard (spoken words), as
timestamped `Command` events (posecoach.control.commands). numpy only; the speech engine
(PocketSphinx, an optional extra) is imported only when voice commands are used. No cv2 or
mediapipe here."""
