"""Audio processing between the microphone and the encoder (issue 11).

WebRTC's audio processing module (echo cancellation, noise suppression, high-pass
filter, gain control; via ``livekit``) runs on the engine's 10 ms frames at 48 kHz.
The far-end reference is what goes to the speaker, after volume and whisper. A
module that cannot load leaves the audio unprocessed and says so (DESIGN.md
"Into the field"). Qt-free; :mod:`media.audio.room` is the demo's and the
benchmark's simulated classroom, never part of a real call's path.
"""
