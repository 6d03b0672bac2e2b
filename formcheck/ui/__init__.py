"""Helpers of the Streamlit page (``streamlit_app.py``): no analysis logic here.

- ``uploads``: size limit, allowed types, content hash, temporary files.
- ``samples``: the sample clips in ``sample_videos/``.
- ``cards``: turning a ``Report`` into metric cards, tables and cue lists.
- ``charts``: Altair charts of the report's per-frame series and events.
- ``pipeline``: cached pose extraction (by content hash), annotated video bytes.
- ``rtc``: the WebRTC configuration (no external servers unless configured).
"""
