"""Hands-free control: commands read from the pose (gestures) or heard (spoken words), as
timestamped `Command` events. numpy only; no cv2 or mediapipe here."""
