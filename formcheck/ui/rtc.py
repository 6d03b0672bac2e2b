"""WebRTC configuration for the live camera.

By default no external server is contacted (``{"iceServers": []}``): the
browser and the app on the same machine (or LAN) connect directly, and nothing
leaves the machine. To use the app from another network, set a TURN server in
the environment variable ``FORMCHECK_RTC_CONFIGURATION`` as JSON, e.g.::

    FORMCHECK_RTC_CONFIGURATION='{"iceServers": [{"urls": ["turn:turn.example.org:3478"],
        "username": "user", "credential": "secret"}]}' streamlit run streamlit_app.py
"""

from __future__ import annotations

import json
import os
from typing import Any

from formcheck.errors import FormcheckError

ENV_VAR = "FORMCHECK_RTC_CONFIGURATION"

LOCAL_ONLY: dict[str, Any] = {"iceServers": []}


def rtc_configuration(environ: dict[str, str] | None = None) -> dict[str, Any]:
    """The RTCConfiguration dict for ``webrtc_streamer``.

    Raises:
        FormcheckError: the environment variable is set but is not a JSON
            object with an ``iceServers`` list (the message shows an example).
    """
    env = os.environ if environ is None else environ
    raw = env.get(ENV_VAR, "").strip()
    if not raw:
        return dict(LOCAL_ONLY)
    example = '{"iceServers": [{"urls": ["turn:host:3478"], "username": "u", "credential": "p"}]}'
    try:
        value = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise FormcheckError(
            f"{ENV_VAR} is not valid JSON ({exc.msg}); set it like {example}"
        ) from exc
    if not isinstance(value, dict) or not isinstance(value.get("iceServers"), list):
        raise FormcheckError(
            f"{ENV_VAR} must be a JSON object with an iceServers list, like {example}"
        )
    return value
