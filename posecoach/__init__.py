"""posecoach: a posture-aware exercise coach that watches you through a webcam."""

__version__ = "0.1.0"
