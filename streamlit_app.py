"""formcheck's page: ``streamlit run streamlit_app.py``.

Choose a drill, read how to film it, then upload a video (or try a sample) or
use the live camera. The page parses input, calls the library and renders
what comes back; all measuring lives in ``formcheck`` (see ``formcheck.ui``
for the page helpers).
"""

from __future__ import annotations

import dataclasses
import logging
import queue
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import AbstractContextManager, contextmanager, nullcontext, suppress
from pathlib import Path
from typing import Any, cast

import streamlit as st

from formcheck.drills import drill_names, get_drill
from formcheck.drills.base import DrillOptions, LegChoice
from formcheck.errors import FormcheckError
from formcheck.history import Profile
from formcheck.ui import cards, charts, history_view, options, pipeline, rtc, samples, uploads

log = logging.getLogger("formcheck.page")

GENERIC_ERROR = (
    "Something went wrong on our side while {doing}. Nothing was lost: try again, "
    "and if it keeps happening, report it (the details are in the app's log)."
)


# ------------------------------------------------------------------ resources
@st.cache_resource(show_spinner=False)
def track_cache() -> pipeline.TrackCache:
    """Pose tracks by content hash, shared by all sessions of this server."""
    return pipeline.TrackCache()


@st.cache_resource(show_spinner="Checking the pose model…")
def model_path() -> Path:
    """The verified pose model bundle (resolved once)."""
    from formcheck.models import resolve_model, verify_bundle

    path = resolve_model()
    verify_bundle(path)
    return path


@st.cache_resource(show_spinner="Loading the pose model for the camera…")
def live_pose() -> pipeline.LockedPose:
    """The live landmarker, created once and shared (calls are serialised)."""
    from formcheck.pose import LivePose

    return pipeline.LockedPose(LivePose(model_path()))


@st.cache_resource(show_spinner=False, max_entries=16)  # cache_data would pickle
def preview_frame(path: str) -> Any:
    """A frame from the middle of the first two seconds of a sample clip (RGB array)."""
    from formcheck.video import iter_frames

    for frame in iter_frames(path, max_side=480, end_s=1.0):
        last = frame.rgb
    return last


@contextmanager
def friendly(doing: str, names: dict[str, str] | None = None) -> Iterator[None]:
    """Show errors as messages: a FormcheckError's own text, anything else a generic one.

    ``names`` maps temporary paths to the names the person knows (filled in
    while the block runs): messages show those instead (``uploads.user_message``).
    """
    try:
        yield
    except FormcheckError as exc:
        log.info("error shown while %s: %s", doing, exc)
        st.error(uploads.page_message(str(exc), names or {}))
    except ValueError as exc:  # bad option values etc.: the library words them for people
        log.warning("rejected input while %s: %s", doing, exc)
        st.error(uploads.page_message(str(exc), names or {}))
    except Exception:
        log.exception("unexpected error while %s", doing)
        st.error(GENERIC_ERROR.format(doing=doing))


# ------------------------------------------------------------------ sidebar
def drill_title(name: str) -> str:
    try:
        return get_drill(name).title
    except Exception:  # a drill module that fails to import still gets a name
        return name.replace("-", " ").capitalize()


def sidebar() -> tuple[str, DrillOptions, Profile | None]:
    """Profile, drill choice and options; returns (drill name, options, profile)."""
    sb = st.sidebar
    profile: Profile | None = None
    with friendly("reading the history"):
        profile = history_view.render_profile_picker(st)
    drill = sb.selectbox("Drill", drill_names(), format_func=drill_title, key="drill")
    height = sb.number_input(
        "Your height (cm)",
        min_value=100.0,
        max_value=230.0,
        value=None,
        step=1.0,
        format="%.0f",
        placeholder="for centimetres",
        help="Turns pixels into centimetres. Without it formcheck assumes an average "
        "adult height and says the numbers are rough.",
        key="height_cm",
    )
    leg = sb.radio(
        "Leg",
        ["auto", "left", "right"],
        horizontal=True,
        help="auto: the leg(s) formcheck can see best; both when both are measurable.",
        key="leg",
    )
    toggles = options.VARIANT_TOGGLES.get(drill, ())
    choices = options.VARIANT_CHOICES.get(drill, ())
    numbers = options.VARIANT_NUMBERS.get(drill, ())
    ticked: dict[str, bool] = {}
    chosen_variant: dict[str, Any] = {}
    if toggles or choices or numbers:
        sb.markdown("**Drill options**")
        for t in toggles:
            ticked[t.key] = sb.checkbox(t.label, help=t.help, key=f"opt-{drill}-{t.key}")
        for c in choices:
            shown = sb.selectbox(
                c.label, [text for text, _ in c.options], help=c.help, key=f"opt-{drill}-{c.key}"
            )
            chosen_variant[c.key] = dict(c.options)[shown]
        for n in numbers:
            key = f"opt-{drill}-{n.key}"
            if key not in st.session_state and n.key == "age" and profile and profile.birth_year:
                st.session_state[key] = history_view.age_in(profile.birth_year)
            number = sb.number_input(
                n.label,
                min_value=n.min_value,
                max_value=n.max_value,
                value=None,
                step=1,
                help=n.help,
                key=key,
            )
            chosen_variant[n.key] = int(number) if number is not None else None
    defaults = options.default_thresholds(drill)
    chosen: dict[str, int | float] = {}
    if defaults:
        with sb.expander("Thresholds (advanced)"):
            st.caption("Changing these re-scores the video without running the pose model again.")
            for key, value in defaults.items():
                chosen[key] = st.number_input(
                    key.replace("_", " "), value=value, key=f"th-{drill}-{key}"
                )
    opts = DrillOptions(
        height_cm=float(height) if height is not None else None,
        leg=cast(LegChoice, leg),
        variant=options.variant_from(drill, ticked, chosen_variant),
        thresholds=options.threshold_overrides(defaults, chosen),
    )
    return drill, opts, profile


def how_to(drill_name: str, sample_list: list[samples.Sample]) -> None:
    """The drill's filming instructions, with a frame of a sample clip."""
    try:
        drill = get_drill(drill_name)
    except Exception:
        log.exception("drill %s failed to load", drill_name)
        st.error(GENERIC_ERROR.format(doing=f"loading the {drill_name} drill"))
        return
    st.header(drill.title)
    text_col, pic_col = st.columns([3, 1])
    with text_col:
        st.markdown(f"**How to film it.** {drill.how_to_film}")
        st.markdown(f"**What you get.** {cards.sentence(drill.measures)}")
        st.caption("Camera views it works from: " + ", ".join(sorted(drill.accepted_views)))
    example = next(
        (s for s in samples.samples_for(drill_name, sample_list) if s.drill == drill_name), None
    )
    if example is not None:
        with pic_col, friendly("loading the example picture"):
            st.image(preview_frame(str(example.path)), caption=f"Example: {example.label}")


# ------------------------------------------------------------------ results
def show_results(report: Any, video: bytes | None) -> None:
    """Everything about one analysed video."""
    st.subheader(f"Result: {cards.headline(report)}", anchor="result")
    missing = cards.headline_missing_reasons(report)
    if missing:
        st.warning("\n".join(f"- {m}" for m in missing))
    if not report.trusted:
        st.warning(
            "Take these numbers with care:\n\n"
            + "\n".join(
                f"- {w.message}" for w in report.warnings if w.severity in ("warning", "error")
            )
        )
    info = [w.message for w in report.warnings if w.severity == "info"]
    if info:
        st.info("\n".join(f"- {m}" for m in info))
    video_col, card_col = st.columns([1, 1])
    with video_col:
        if video is not None:
            st.video(video, format="video/mp4")
        note = cards.calibration_note(report.calibration)
        if note:
            st.caption(note)
    with card_col:
        card_list, unmeasured = cards.split_measured(cards.cards(report))
        shared = cards.shared_flags(card_list)
        for text, labels in shared.items():
            st.warning(f"⚠ {text} (applies to: {', '.join(labels)})")
        for row_start in range(0, len(card_list), 2):
            cols = st.columns(2)
            for col, card in zip(cols, card_list[row_start : row_start + 2], strict=False):
                with col:
                    st.metric(card.label, card.value)
                    if card.norm:
                        st.caption(f"Norm: {card.norm}")
                    if card.flag and card.flag in shared:
                        st.caption(f"⚠ {cards.short_flag(card.flag)}")
                    elif card.flag:
                        st.warning(f"⚠ {card.flag}")
        if unmeasured:
            st.caption("Not measured in this video: " + ", ".join(unmeasured) + ".")
        for label, text in cards.notes(report):
            st.caption(f"**{label}:** {text}")
        if report.score is not None:
            st.metric("Score (0-100)", f"{report.score:.0f}")
        for label, why in cards.other_flags(report):
            st.warning(f"⚠ {label}: {why}")
    if report.events:
        st.markdown("**Each rep / hold / attempt**")
        st.dataframe(
            cards.event_table(report),
            hide_index=True,
            width="stretch",
            placeholder=cards.MISSING,
        )
    for chart in charts.charts_for(report):
        st.altair_chart(chart, width="stretch")
    cue_rows = cards.cue_rows(report)
    st.markdown("**Cues**")
    if cue_rows:
        st.dataframe(cue_rows, hide_index=True, width="stretch")
    else:
        st.caption("No cues: nothing to change.")
    with st.expander("All numbers"):
        st.dataframe(cards.all_numbers(report), hide_index=True, width="stretch")
    st.markdown("**Downloads**")
    d1, d2, d3 = st.columns(3)
    stem = f"formcheck-{report.drill}"
    # on_click="ignore": a download must not re-run the page (which re-scored the video
    # and, while it ran, showed the results twice)
    d1.download_button(
        "Report (JSON)",
        report.to_json(),
        f"{stem}.json",
        "application/json",
        key="dl-json",
        on_click="ignore",
    )
    d2.download_button(
        "Per-frame table (CSV)",
        report.frames_csv(),
        f"{stem}.csv",
        "text/csv",
        key="dl-csv",
        on_click="ignore",
    )
    if video is not None:
        d3.download_button(
            "Annotated video (MP4)",
            video,
            f"{stem}.mp4",
            "video/mp4",
            key="dl-mp4",
            on_click="ignore",
        )


# ------------------------------------------------------------------ video mode
# (content digest, path factory, original, name shown to the person)
Picked = tuple[str, Callable[[], AbstractContextManager[Path]], Path | tuple[bytes, str], str]


def match_sample_options(drill: str) -> None:
    """On picking a sample: set the drill's toggles to how the sample was filmed."""
    sample = st.session_state.get("sample")
    if isinstance(sample, samples.Sample):
        for key, ticked in options.toggle_states(drill, sample.variant).items():
            st.session_state[f"opt-{drill}-{key}"] = ticked


def chosen_video(
    drill: str, sample_list: list[samples.Sample], variant: Mapping[str, Any]
) -> Picked | None:
    """(content digest, path factory, original, shown name) of the upload or sample, or None.

    ``original`` is the sample's path, or the upload's (bytes, extension): kept
    only if the person asks to keep the video with a saved session. ``variant``
    is the chosen drill variant (to say when it differs from a sample's).
    """
    source = st.radio(
        "Video",
        ["Upload a video", "Try a sample"],
        horizontal=True,
        key="source",
        label_visibility="collapsed",
    )
    if source == "Try a sample":
        ordered = samples.samples_for(drill, sample_list)
        if not ordered:
            st.info("No sample videos are installed (sample_videos/ is empty).")
            return None
        sample = st.selectbox(
            "Sample",
            ordered,
            format_func=lambda s: s.label,
            key="sample",
            on_change=match_sample_options,
            args=(drill,),
        )
        note = options.variant_mismatch(drill, sample.variant, variant)
        if note:
            st.info(note)
        data = sample.path.read_bytes()
        return (
            uploads.content_digest(data),
            lambda: nullcontext(sample.path),
            sample.path,
            sample.path.name,
        )
    upload = st.file_uploader(
        f"Your video: mp4, mov or webm, up to {uploads.MAX_UPLOAD_MB} MB "
        "(a drill set is under a minute; trim longer clips)",
        type=[e[1:] for e in uploads.ALLOWED_EXTENSIONS],
        key="upload",
    )
    if upload is None:
        return None
    ext = uploads.checked_extension(upload.name, upload.size)  # server-side check
    data = upload.getvalue()
    uploads.checked_extension(upload.name, len(data))
    return (
        uploads.content_digest(data),
        lambda: uploads.temp_video(data, ext),
        (data, ext),
        uploads.shown_name(upload.name),
    )


@contextmanager
def progress_bar(text: str, slot: Any = None) -> Iterator[Callable[[int, int], None]]:
    """A progress bar for the block, removed when it ends however it ends.

    Drawn in ``slot`` (an ``st.empty()``) when given: the page keeps one slot for
    its progress bars on every run, so the results below sit at the same place
    whether or not the video was just analysed (Streamlit otherwise shows the
    old and the new results together while a re-run is under way).
    Yields the ``(done, total)`` callback that moves the bar.
    """
    bar = (slot if slot is not None else st).progress(0.0, text=text)
    last = [0.0]
    started = time.monotonic()

    def update(done: int, total: int) -> None:
        frac = min(1.0, done / total) if total > 0 else 0.0
        if frac - last[0] >= 0.01 or frac >= 1.0:
            last[0] = frac
            left = cards.time_left(time.monotonic() - started, frac)
            bar.progress(frac, text=f"{text} {frac:.0%}" + (f" ({left})" if left else ""))

    try:
        yield update
    finally:
        bar.empty()


def named(
    factory: Callable[[], AbstractContextManager[Path]], name: str, names: dict[str, str]
) -> Callable[[], AbstractContextManager[Path]]:
    """``factory``, recording in ``names`` each path it yields -> ``name`` (for messages)."""

    @contextmanager
    def make() -> Iterator[Path]:
        with factory() as path:
            names[str(path)] = name
            yield path

    return make


def video_mode(
    drill: str, opts: DrillOptions, sample_list: list[samples.Sample], profile: Profile | None
) -> None:
    names: dict[str, str] = {}  # temporary path -> the file name the person knows
    with friendly("reading the video", names):
        picked = chosen_video(drill, sample_list, opts.variant)
        if picked is None:
            return
        digest, factory, original, shown = picked
        path_factory = named(factory, shown, names)
        slot = st.empty()  # on every run, used or not (see progress_bar)
        cache = track_cache()
        if digest not in cache:
            with progress_bar("Finding your pose in each frame…", slot) as update:
                pipeline.get_track(cache, digest, path_factory, model_path(), update)
        track = cache.get(digest)
        if track is None:
            return
        # the report names the person's file, not the temporary copy the model read
        track = dataclasses.replace(track, source=shown)
        report = pipeline.analyze(track, drill, opts, cache.stated_duration(digest))
        key = (digest, pipeline.options_key(drill, opts))
        videos: dict[Any, bytes] = st.session_state.setdefault("videos", {})
        if key not in videos:
            with (
                progress_bar("Drawing the annotated video…", slot) as update,
                path_factory() as path,
            ):
                video = pipeline.annotated_video_bytes(path, track, report, update)
            videos.clear()  # keep one rendered video per session (they are MBs)
            videos[key] = video
        show_results(report, videos[key])
        history_view.render_save_panel(
            st, profile, report, videos[key], "|".join(key), digest, original
        )


# ------------------------------------------------------------------ live mode
def live_mode(drill: str, opts: DrillOptions) -> None:
    import av
    from streamlit_webrtc import WebRtcMode, webrtc_streamer

    from formcheck.live import LiveEngine

    st.markdown(
        "Press **START**, allow the camera, and step back until your whole body and feet "
        "are in the picture. The count updates as you go."
    )
    config: dict[str, Any] | None = None
    with friendly("setting up the camera"):
        config = rtc.rtc_configuration()
    if config is None:
        return
    holder: dict[str, Any] = st.session_state.setdefault("live", {})
    results: queue.Queue[Any] = holder.setdefault("queue", queue.Queue(maxsize=1))
    wanted = (drill, pipeline.options_key(drill, opts))
    if holder.get("for") != wanted and holder.get("engine") is not None:
        holder["engine"].close()
        holder["engine"] = None
    holder["for"] = wanted

    def callback(frame: av.VideoFrame) -> av.VideoFrame:
        rgb = frame.to_ndarray(format="rgb24")
        engine = holder.get("engine")
        if engine is None:
            return frame  # model still loading: show the camera as is
        t = frame.time if frame.time is not None else time.monotonic()
        engine.submit(rgb, t)
        engine.annotate(rgb)
        with suppress(queue.Empty):
            results.get_nowait()
        with suppress(queue.Full):
            results.put_nowait(engine.state)
        return av.VideoFrame.from_ndarray(rgb, format="rgb24")

    video_col, numbers_col = st.columns([3, 2])
    ctx = None
    with video_col, friendly("starting the live camera"):
        ctx = webrtc_streamer(
            key=f"live-{drill}",
            mode=WebRtcMode.SENDRECV,
            rtc_configuration=config,
            media_stream_constraints={"video": True, "audio": False},
            video_frame_callback=callback,
            async_processing=True,
            video_html_attrs={
                "style": {"width": "100%"},
                "controls": False,
                "autoPlay": True,
                "muted": True,
            },
        )
    if ctx is None:
        return
    if not ctx.state.playing:
        if holder.get("engine") is not None:  # stop the model thread with the camera
            holder["engine"].close()
            holder["engine"] = None
        if holder.get("was_playing"):
            st.info("The camera stopped. Press START to go again.")
            holder["was_playing"] = False
        return
    holder["was_playing"] = True
    with friendly("loading the pose model"):
        if holder.get("engine") is None:
            holder["engine"] = LiveEngine(live_pose(), drill, opts)
    if holder.get("engine") is None:
        return
    with numbers_col:
        show_live(ctx, results, drill)


def show_live(ctx: Any, results: queue.Queue[Any], drill: str) -> None:
    """Show the live numbers until the camera stops."""
    key, label, fmt = cards.LIVE_COUNTERS.get(drill, ("reps", "Reps (live)", "{:.0f}"))
    box = st.empty()
    waited = 0.0
    while ctx.state.playing:
        try:
            state = results.get(timeout=1.0)
        except queue.Empty:
            waited += 1.0
            if waited >= 10.0:
                box.warning(
                    "No picture from the camera: check that the browser may use it and that no "
                    "other app is using it, then press STOP and START."
                )
            continue
        waited = 0.0
        value = state.values.get(key)
        with box.container():
            c1, c2, c3 = st.columns(3)
            c1.metric(label, "—" if value is None or value != value else fmt.format(value))
            c2.metric("Analysed fps", f"{state.achieved_fps:.0f}")
            c3.metric("Frames skipped", f"{state.frames_dropped}")
            extra = [(k, v) for k, v in state.values.items() if k != key]
            for col, (name, v) in zip(st.columns(max(1, len(extra))), extra, strict=False):
                name_label, unit = cards.split_unit(name)
                col.metric(name_label, cards.format_number(v, unit))
            if state.message:
                st.warning(state.message)
    st.info("The camera stopped. Press START to go again.")


# ------------------------------------------------------------------ page
def main() -> None:
    st.set_page_config(page_title="formcheck", page_icon="🦶", layout="wide")
    st.title("formcheck")
    st.caption("Measures your ankle drills from video. Everything runs on this computer.")
    drill, opts, profile = sidebar()
    mode = st.radio(
        "Mode",
        ["Analyse a video", "Live camera", "History"],
        horizontal=True,
        key="mode",
        label_visibility="collapsed",
    )
    if mode == "History":
        st.header("History")
        with friendly("showing the history"):
            history_view.render_history(st, profile.name if profile else None, drill)
        return
    sample_list = samples.list_samples(drills=tuple(drill_names()))
    how_to(drill, sample_list)
    if mode == "Live camera":
        live_mode(drill, opts)
    else:
        video_mode(drill, opts, sample_list, profile)


main()
