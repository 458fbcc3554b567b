"""Regenerate the sample show's artwork (artwork.jpg): 1400x1400 RGB JPEG, drawn with Pillow.

Run: .venv/bin/python scripts/make_artwork.py
"""

from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

SIZE = 1400


def main() -> None:
    img = Image.new("RGB", (SIZE, SIZE), (18, 52, 86))
    draw = ImageDraw.Draw(img)
    # A stylised spine: a column of rounded vertebrae, lighter towards the bottom.
    for i in range(9):
        y = 170 + i * 98
        shade = 150 + i * 10
        draw.rounded_rectangle((620, y, 780, y + 70), radius=22, fill=(shade, 215, 200))
    try:
        font = ImageFont.load_default(size=120)
        small = ImageFont.load_default(size=56)
    except TypeError:  # Pillow < 10.1 has no sized default font
        font = small = ImageFont.load_default()
    draw.text((SIZE // 2, 1130), "Back to Evidence", font=font, fill="white", anchor="mm")
    draw.text(
        (SIZE // 2, 1250),
        "low back pain, by the research",
        font=small,
        fill=(200, 225, 235),
        anchor="mm",
    )
    out = Path(__file__).resolve().parent.parent / "artwork.jpg"
    img.save(out, "JPEG", quality=80, optimize=True)
    print(f"wrote {out} ({out.stat().st_size} bytes)")


if __name__ == "__main__":
    main()
