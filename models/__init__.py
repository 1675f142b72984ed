"""The bundled BlazePose Full pose model (pose_landmarker_full.task); see README.md here for its provenance."""
