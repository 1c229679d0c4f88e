"""Demo images drawn by code: simple maps of the region and charts, no third-party pictures.

`load_demo_images()` makes each image once (found again by its title, so running it twice
changes nothing) and sets it as the hero image of demo articles that have none. The maps are
deliberately schematic (hand-simplified coastlines) and the charts say on their face that
their figures are illustrative, not data.
"""

import io
import itertools
import math
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

from django.core.files.base import ContentFile
from django.db import transaction
from PIL import Image as PILImage
from PIL import ImageDraw, ImageFont

from .models import Image

SIZE = (1600, 900)
SEA = (214, 228, 238)
LAND = (240, 236, 226)
COAST = (128, 138, 146)
INK = (34, 40, 49)
MUTED = (96, 104, 112)
ACCENT = (176, 58, 46)
BLUE = (38, 84, 124)
GRID = (222, 226, 230)
PAPER = (252, 251, 248)

# Schematic outlines, (longitude, latitude), simplified by hand.
LANDS = {
    "mainland": [
        (90.0, 21.0), (116.5, 23.0), (119.5, 25.3), (120.6, 27.5), (121.9, 29.9),
        (121.0, 30.7), (121.9, 31.4), (120.8, 32.6), (119.2, 34.8), (120.3, 36.1),
        (122.5, 37.3), (119.0, 37.2), (117.7, 39.0), (121.0, 40.9), (122.3, 40.5),
        (121.3, 39.0), (122.9, 39.7), (124.3, 40.0), (125.3, 40.7), (126.9, 41.8),
        (128.0, 42.0), (129.7, 42.5), (130.7, 42.3), (131.5, 43.0), (133.1, 42.7),
        (135.5, 43.8), (138.5, 46.9), (140.5, 48.5), (90.0, 48.5),
    ],
    "korea": [
        (124.3, 40.0), (125.3, 39.5), (125.1, 38.7), (124.7, 38.1), (125.6, 37.7),
        (126.6, 37.0), (126.4, 36.0), (126.5, 34.7), (127.5, 34.6), (128.6, 34.9),
        (129.4, 35.5), (129.5, 36.7), (129.2, 37.7), (128.4, 38.6), (127.5, 39.8),
        (128.4, 40.0), (129.7, 40.9), (129.8, 41.8), (130.7, 42.3), (129.7, 42.5),
        (128.0, 42.0), (126.9, 41.8), (125.3, 40.7),
    ],
    "honshu": [
        (130.9, 34.0), (132.0, 34.3), (133.5, 34.4), (135.0, 34.6), (135.5, 33.5),
        (136.9, 34.3), (138.8, 34.6), (139.8, 35.0), (140.9, 35.7), (140.6, 36.9),
        (141.0, 38.3), (141.9, 39.5), (141.5, 40.5), (141.4, 41.4), (140.3, 41.2),
        (140.0, 40.3), (139.9, 39.0), (139.5, 38.2), (138.5, 37.4), (137.3, 36.9),
        (136.7, 37.3), (136.0, 36.0), (135.5, 35.6), (134.0, 35.5), (132.6, 35.4),
        (131.5, 34.6),
    ],
    "kyushu": [
        (129.8, 33.3), (130.5, 33.9), (131.0, 33.9), (131.9, 33.2), (131.4, 31.4),
        (130.7, 31.0), (130.2, 31.3), (130.3, 32.5), (129.7, 32.7),
    ],
    "shikoku": [
        (132.5, 33.3), (133.0, 34.0), (134.2, 34.3), (134.7, 33.8), (134.2, 33.3),
        (133.3, 33.3), (132.9, 32.8),
    ],
    "hokkaido": [
        (140.0, 41.5), (140.5, 42.5), (141.2, 43.2), (141.6, 45.3), (142.5, 45.0),
        (143.5, 44.2), (145.3, 44.3), (145.5, 43.3), (144.3, 42.9), (143.3, 42.0),
        (141.7, 42.6), (141.0, 41.8), (140.5, 41.8),
    ],
    "taiwan": [
        (120.1, 23.0), (120.7, 22.0), (121.0, 22.6), (121.9, 24.6), (121.6, 25.3),
        (121.0, 25.1), (120.2, 23.8),
    ],
    "tsushima": [(129.2, 34.1), (129.5, 34.3), (129.45, 34.7), (129.25, 34.6)],
    "jeju": [(126.2, 33.4), (126.5, 33.2), (126.9, 33.4), (126.6, 33.55)],
}  # fmt: skip
PLACES = {
    "Tokyo": (139.7, 35.7),
    "Osaka": (135.5, 34.7),
    "Seoul": (127.0, 37.6),
    "Busan": (129.1, 35.1),
    "Pyongyang": (125.75, 39.0),
    "Beijing": (116.4, 39.9),
    "Shanghai": (121.5, 31.2),
    "Taipei": (121.5, 25.0),
    "Fukuoka": (130.4, 33.6),
    "Xiamen": (118.1, 24.5),
}
DMZ = [(126.1, 37.75), (127.0, 38.3), (128.4, 38.6)]


def font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    return ImageFont.load_default(size=size)


@dataclass(frozen=True)
class Frame:
    """An equirectangular view of (lon0, lat0) to (lon1, lat1) fitted into the picture."""

    lon0: float
    lat0: float
    lon1: float
    lat1: float

    def project(self, lon: float, lat: float) -> tuple[float, float]:
        width, height = SIZE
        squeeze = math.cos(math.radians((self.lat0 + self.lat1) / 2))
        scale = min(width / ((self.lon1 - self.lon0) * squeeze), height / (self.lat1 - self.lat0))
        x_off = (width - (self.lon1 - self.lon0) * squeeze * scale) / 2
        y_off = (height - (self.lat1 - self.lat0) * scale) / 2
        return (
            x_off + (lon - self.lon0) * squeeze * scale,
            height - y_off - (lat - self.lat0) * scale,
        )


def _map(
    frame: Frame,
    title: str,
    places: Iterable[str],
    labels: Iterable[tuple[str, float, float]],
    extra: Callable[[ImageDraw.ImageDraw, Frame], None] | None = None,
) -> PILImage.Image:
    picture = PILImage.new("RGB", SIZE, SEA)
    draw = ImageDraw.Draw(picture)
    for lon in range(100, 160, 5):
        draw.line([frame.project(lon, 10), frame.project(lon, 60)], fill=(200, 216, 228))
    for lat in range(10, 60, 5):
        draw.line([frame.project(90, lat), frame.project(170, lat)], fill=(200, 216, 228))
    for outline in LANDS.values():
        draw.polygon([frame.project(*p) for p in outline], fill=LAND, outline=COAST, width=2)
    draw.line([frame.project(*p) for p in DMZ], fill=ACCENT, width=3)
    if extra:
        extra(draw, frame)
    for name in places:
        x, y = frame.project(*PLACES[name])
        draw.ellipse([x - 6, y - 6, x + 6, y + 6], fill=INK)
        draw.text((x + 10, y - 12), name, fill=INK, font=font(24))
    for text, lon, lat in labels:
        draw.text(frame.project(lon, lat), text, fill=MUTED, font=font(28), anchor="mm")
    draw.rectangle([0, 0, SIZE[0], 64], fill=PAPER)
    draw.text((32, 32), title, fill=INK, font=font(30), anchor="lm")
    draw.text(
        (SIZE[0] - 32, SIZE[1] - 24),
        "Schematic map drawn by Meridian; coastlines simplified",
        fill=MUTED,
        font=font(20),
        anchor="rm",
    )
    return picture


def northeast_asia_map() -> PILImage.Image:
    return _map(
        Frame(112.0, 24.0, 148.0, 46.0),
        "Northeast Asia",
        ["Tokyo", "Osaka", "Seoul", "Pyongyang", "Beijing", "Shanghai", "Taipei"],
        [
            ("CHINA", 116.5, 33.5),
            ("NORTH KOREA", 126.9, 40.25),
            ("SOUTH KOREA", 128.2, 36.3),
            ("JAPAN", 138.5, 36.8),
            ("Sea of Japan (East Sea)", 135.0, 41.3),
            ("East China Sea", 125.5, 29.5),
            ("Pacific Ocean", 142.5, 30.5),
        ],
    )


def _shipping_lanes(draw: ImageDraw.ImageDraw, frame: Frame) -> None:
    for lane in (
        [(127.2, 33.6), (128.6, 34.2), (129.9, 34.8), (131.0, 35.6)],
        [(126.0, 34.1), (128.3, 33.7), (129.9, 33.9), (130.9, 34.3)],
    ):
        points = [frame.project(*p) for p in lane]
        for (x0, y0), (x1, y1) in itertools.pairwise(points):
            steps = int(math.hypot(x1 - x0, y1 - y0) // 18)
            for step in range(0, steps, 2):
                a, b = step / steps, (step + 1) / steps
                draw.line(
                    [
                        (x0 + (x1 - x0) * a, y0 + (y1 - y0) * a),
                        (x0 + (x1 - x0) * b, y0 + (y1 - y0) * b),
                    ],
                    fill=BLUE,
                    width=4,
                )


def korea_strait_map() -> PILImage.Image:
    return _map(
        Frame(125.5, 32.3, 132.5, 36.6),
        "The Korea Strait: main shipping lanes (schematic)",
        ["Busan", "Fukuoka"],
        [
            ("SOUTH KOREA", 127.6, 35.8),
            ("JAPAN", 131.3, 33.0),
            ("Tsushima", 129.95, 34.5),
            ("Jeju", 126.55, 33.0),
            ("Korea Strait", 128.9, 33.55),
        ],
        _shipping_lanes,
    )


def taiwan_strait_map() -> PILImage.Image:
    return _map(
        Frame(115.0, 20.5, 127.0, 28.5),
        "The Taiwan Strait and its approaches",
        ["Taipei", "Xiamen"],
        [
            ("CHINA", 116.8, 26.8),
            ("TAIWAN", 121.0, 23.6),
            ("Taiwan Strait", 119.4, 23.9),
            ("Philippine Sea", 124.5, 22.5),
            ("East China Sea", 124.5, 27.0),
        ],
    )


def _chart_frame(title: str, subtitle: str) -> tuple[PILImage.Image, ImageDraw.ImageDraw]:
    picture = PILImage.new("RGB", SIZE, PAPER)
    draw = ImageDraw.Draw(picture)
    draw.text((80, 60), title, fill=INK, font=font(44))
    draw.text((80, 118), subtitle, fill=MUTED, font=font(26))
    draw.text(
        (SIZE[0] - 60, SIZE[1] - 36),
        "Illustrative figures for the demo, not data. Chart: Meridian",
        fill=MUTED,
        font=font(22),
        anchor="rm",
    )
    return picture, draw


def defence_spending_chart() -> PILImage.Image:
    picture, draw = _chart_frame(
        "Defence spending as a share of GDP", "Per cent, one recent year (illustrative)"
    )
    rows = [("United States", 3.4), ("South Korea", 2.7), ("Japan", 1.6), ("China", 1.7)]
    left, top, right, bar = 360, 210, 1480, 110
    scale = (right - left) / 4.0
    for tick in range(5):
        x = left + tick * scale
        draw.line([(x, top - 20), (x, top + len(rows) * 150)], fill=GRID, width=2)
        draw.text(
            (x, top + len(rows) * 150 + 24), f"{tick}%", fill=MUTED, font=font(24), anchor="mm"
        )
    for index, (name, value) in enumerate(rows):
        y = top + index * 150
        draw.text((left - 24, y + bar / 2), name, fill=INK, font=font(30), anchor="rm")
        draw.rectangle([left, y, left + value * scale, y + bar], fill=BLUE if index else ACCENT)
        draw.text(
            (left + value * scale + 16, y + bar / 2),
            f"{value:.1f}",
            fill=INK,
            font=font(30),
            anchor="lm",
        )
    return picture


def trade_index_chart() -> PILImage.Image:
    picture, draw = _chart_frame(
        "Trade between Japan and South Korea",
        "Index of the value of goods traded, 2015 = 100 (illustrative)",
    )
    years = list(range(2015, 2026))
    values = [100, 97, 108, 112, 101, 92, 109, 118, 111, 115, 119]
    left, top, right, bottom = 140, 200, 1500, 790
    low, high = 80, 130
    x_of = lambda i: left + i * (right - left) / (len(years) - 1)  # noqa: E731
    y_of = lambda v: bottom - (v - low) * (bottom - top) / (high - low)  # noqa: E731
    for level in range(low, high + 1, 10):
        draw.line([(left, y_of(level)), (right, y_of(level))], fill=GRID, width=2)
        draw.text((left - 20, y_of(level)), str(level), fill=MUTED, font=font(24), anchor="rm")
    for i, year in enumerate(years):
        if year % 2 == 1:
            draw.text((x_of(i), bottom + 30), str(year), fill=MUTED, font=font(24), anchor="mm")
    draw.rectangle([x_of(4), top, x_of(5), bottom], fill=(246, 234, 230))
    draw.text(
        (x_of(4.5), top + 24), "export-control dispute", fill=ACCENT, font=font(22), anchor="mm"
    )
    points = [(x_of(i), y_of(v)) for i, v in enumerate(values)]
    draw.line(points, fill=BLUE, width=6, joint="curve")
    for x, y in points:
        draw.ellipse([x - 8, y - 8, x + 8, y + 8], fill=BLUE)
    return picture


@dataclass(frozen=True)
class DemoImage:
    title: str
    draw: Callable[[], PILImage.Image]
    alt_text: str
    caption: str
    credit: str
    focal: tuple[int, int] = (50, 50)


DEMO_IMAGES = {
    "northeast-asia-map": DemoImage(
        "Map: Northeast Asia",
        northeast_asia_map,
        "Schematic map of Northeast Asia: China to the west, the Korean Peninsula divided at "
        "the demilitarised zone, and the Japanese archipelago to the east, with Tokyo, Seoul, "
        "Pyongyang, Beijing, Shanghai and Taipei marked.",
        "Northeast Asia: the alliance geography in one view.",
        "Map: Meridian (schematic, coastlines simplified)",
        (60, 45),
    ),
    "korea-strait-map": DemoImage(
        "Map: the Korea Strait shipping lanes",
        korea_strait_map,
        "Schematic map of the Korea Strait between Busan and Fukuoka, with Tsushima island in "
        "the middle and two dashed shipping lanes running from the East China Sea to the Sea "
        "of Japan on either side of it.",
        "Two main lanes pass either side of Tsushima.",
        "Map: Meridian (schematic)",
    ),
    "taiwan-strait-map": DemoImage(
        "Map: the Taiwan Strait",
        taiwan_strait_map,
        "Schematic map of the Taiwan Strait: the Chinese coast with Xiamen to the west, Taiwan "
        "with Taipei to the east, and the East China Sea and Philippine Sea beyond.",
        "The Taiwan Strait is about 130 to 180 kilometres wide.",
        "Map: Meridian (schematic)",
        (45, 55),
    ),
    "defence-spending-chart": DemoImage(
        "Chart: defence spending as a share of GDP",
        defence_spending_chart,
        "Bar chart of defence spending as a share of GDP, with illustrative figures: United "
        "States 3.4 per cent, South Korea 2.7, China 1.7 and Japan 1.6.",
        "Defence spending relative to the size of each economy (illustrative figures).",
        "Chart: Meridian (illustrative figures, not data)",
        (40, 50),
    ),
    "trade-index-chart": DemoImage(
        "Chart: Japan-South Korea trade index",
        trade_index_chart,
        "Line chart of an index of Japan-South Korea goods trade from 2015 to 2025, with "
        "illustrative figures: it dips during the 2019-2020 export-control dispute and "
        "recovers above its earlier level by 2022.",
        "Trade dipped during the export-control dispute, then recovered (illustrative index).",
        "Chart: Meridian (illustrative figures, not data)",
    ),
}

# The demo articles (apps/articles/demo/articles/) and the picture each one leads with.
DEMO_HERO_IMAGES = {
    "the-hedging-ledger-how-seoul-balances-washington-and-beijing": "northeast-asia-map",
    "after-the-boycott-what-japan-and-south-korea-learned-from-economic-coercion": (
        "trade-index-chart"
    ),
    "brief-what-congress-can-and-cannot-do-to-lock-in-alliance-commitments": (
        "defence-spending-chart"
    ),
    "brief-keeping-trilateral-missile-warning-data-sharing-on-track": "northeast-asia-map",
    "burden-sharing-without-brinkmanship-a-better-way-to-negotiate-host-nation-support": (
        "defence-spending-chart"
    ),
    "cold-cargo-lng-contracts-and-the-energy-security-of-japan-and-south-korea": (
        "korea-strait-map"
    ),
    "critical-minerals-options-for-a-trilateral-stockpile": "trade-index-chart",
    "extended-deterrence-beyond-reassurance-making-the-nuclear-consultative-group-matter": (
        "northeast-asia-map"
    ),
    "friend-shoring-chips-where-the-semiconductor-bargain-breaks-down": "trade-index-chart",
    "if-the-strait-erupts-the-hard-questions-for-tokyo-and-seoul": "taiwan-strait-map",
    "japans-counterstrike-capability-what-changes-and-what-does-not": "northeast-asia-map",
    "arsenal-of-democracies-south-koreas-defence-export-boom-and-its-limits": (
        "defence-spending-chart"
    ),
    "partners-who-hedge-japans-security-assistance-in-southeast-asia": "taiwan-strait-map",
    "shipbuilding-as-alliance-glue-can-allied-yards-repair-us-naval-capacity": ("korea-strait-map"),
    "tariffs-as-alliance-policy-the-cost-of-treating-allies-as-competitors": ("trade-index-chart"),
}


def ensure_demo_images() -> dict[str, Image]:
    """Each demo image, drawn and stored the first time only (found again by its title)."""
    existing = {
        image.title: image
        for image in Image.objects.filter(
            title__in=[demo.title for demo in DEMO_IMAGES.values()]
        ).order_by("pk")
    }
    images = {}
    for key, demo in DEMO_IMAGES.items():
        image = existing.get(demo.title)
        if image is None:
            buffer = io.BytesIO()
            demo.draw().save(buffer, format="PNG")
            image = Image.objects.create_from_file(
                ContentFile(buffer.getvalue(), name=f"{key}.png"),
                title=demo.title,
                alt_text=demo.alt_text,
                caption=demo.caption,
                credit=demo.credit,
                focal_x=demo.focal[0],
                focal_y=demo.focal[1],
            )
        images[key] = image
    return images


@transaction.atomic
def load_demo_images(hero_images: Mapping[str, str] | None = None) -> dict[str, Image]:
    """Make the demo images (once) and give each listed article (slug → image key) its hero
    image, unless it already has one. Articles not in the database are skipped. Safe to run
    again: nothing is drawn or changed twice."""
    from apps.articles.models import Article

    images = ensure_demo_images()
    assignments = DEMO_HERO_IMAGES if hero_images is None else hero_images
    articles = Article.objects.filter(slug__in=assignments, hero_image__isnull=True)
    for article in articles:
        article.hero_image = images[assignments[article.slug]]
        # update_fields keeps the rest of the article (version, rendered HTML) as it is.
        article.save(update_fields=["hero_image"])
    return images
