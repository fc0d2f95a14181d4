"""Capture and playback with Qt Multimedia, behind a device catalog (GUI thread only).

- :mod:`app.av.catalog` — which devices exist (Qt or fake) and the hot-plug follower
- :mod:`app.av.camera` — :class:`~app.av.camera.CameraSource`: camera → aiortc track
- :mod:`app.av.microphone` — :class:`~app.av.microphone.MicrophoneSource`
- :mod:`app.av.speaker` — :class:`~app.av.speaker.SpeakerSink`: remote audio out
- :mod:`app.av.video_view` — :class:`~app.av.video_view.VideoView` and ``SelfView``
- :mod:`app.av.convert` — Qt ↔ PyAV frames and formats
"""
