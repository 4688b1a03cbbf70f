"""The demo agency's fixed data: sizes, names, personas, captions, and what a run reports."""

from __future__ import annotations

import string
from dataclasses import dataclass, field
from datetime import UTC, datetime

from posts.choices import Platform, TrialStatus

DEFAULT_SEED = 20240601
DEFAULT_ACCOUNTS = 40
DEFAULT_POSTS = 2000
DEFAULT_DAYS = 60

DEMO_SUFFIX = " (demo)"
USERNAME_PREFIX = "demo_"
SOURCE = "demo"
BATCH_SIZE = 2000

# Share of posts that are trial reels, by outcome (2 000 posts: 60 pending, 20 + 20 decided).
PENDING_TRIAL_SHARE = 0.03
REJECTED_TRIAL_SHARE = 0.01
APPROVED_TRIAL_SHARE = 0.01

FINANCE, BUSINESS, ENTERTAINMENT, LIFESTYLE, FITNESS = (
    "Finance",
    "Business",
    "Entertainment",
    "Lifestyle",
    "Fitness & Health",
)

# Used only when the taxonomy is empty; a migration seeds the real one.
TAXONOMY = {
    FINANCE: ["Personal Finance", "Investing", "Side Hustles"],
    BUSINESS: ["Entrepreneurship", "Marketing", "Productivity"],
    ENTERTAINMENT: ["Comedy & Skits", "Reactions", "Pop Culture"],
    LIFESTYLE: ["Travel", "Food & Cooking", "Fashion & Home"],
    FITNESS: ["Workouts", "Nutrition", "Mental Health"],
}

CLIENTS = {
    FINANCE: "Northwind Capital",
    BUSINESS: "Foundry Labs",
    ENTERTAINMENT: "Laugh Track Studios",
    LIFESTYLE: "Wanderlust & Co",
    FITNESS: "Peak Performance",
}

EDITORS = ["Maya Chen", "Leo Martins", "Priya Nair", "Tom Becker", "Sofia Rossi", "Jamal Wright"]

BOARDS = {"finance": "Finance", "clipping": "Clipping", "clients": "Clients", "ugc": "UGC"}

# (payee, payment method, base monthly pay, expected monthly posts, rate per 1k views); the
# first four editors are paid through these, so their accounts and posts carry the item.
FINANCE_ITEMS = [
    ("Maya Chen", "Wise", "1500.00", 60, "0.5000"),
    ("Leo Martins", "PayPal", "1200.00", 45, "0.4000"),
    ("Priya Nair", "Bank transfer", "2000.00", 90, None),
    ("Tom Becker", "Wise", "800.00", None, "0.7500"),
]

# (handle, full name, niche, bio); "clips" accounts are clip / side accounts.
PERSONAS = [
    (
        "moneywithmia",
        "Mia Alvarez",
        FINANCE,
        "Build wealth one paycheck at a time 💸 | CFP in training",
    ),
    ("founderfiles", "Ethan Brooks", BUSINESS, "Building a SaaS in public. $0 → $10k MRR."),
    ("laughswithleo", "Leo Grant", ENTERTAINMENT, "Sketch comedy every day 😂 | bookings in bio"),
    ("wanderwithzoe", "Zoe Carter", LIFESTYLE, "40 countries on a budget ✈️ | guides below"),
    (
        "fitwithnina",
        "Nina Kowalski",
        FITNESS,
        "Home workouts, no equipment 💪 New plan every Monday",
    ),
    ("budgetbrody", "Brody Kim", FINANCE, "Budgeting on a $40k salary. Real numbers, no fluff."),
    ("marketingmaya", "Maya Lopez", BUSINESS, "Marketing for small brands | ex-agency strategist"),
    ("reactwithrosa", "Rosa Diaz", ENTERTAINMENT, "Reacting to the internet so you don't have to"),
    ("cookingwithkai", "Kai Nakamura", LIFESTYLE, "15-minute dinners for busy people 🍜"),
    ("liftwithmarcus", "Marcus Reed", FITNESS, "Strength coach | 12-week programs in bio"),
    ("richclips.daily", "Rich Clips Daily", FINANCE, "Best moments from money podcasts, daily 🎙️"),
    ("ceo.clips", "CEO Clips", BUSINESS, "Founder interviews, cut to the good part"),
    ("podclips.daily", "Pod Clips Daily", ENTERTAINMENT, "Funniest podcast moments, every day"),
    ("travelclips.hub", "Travel Clips Hub", LIFESTYLE, "The world in 30 seconds 🌍"),
    ("gymclips.daily", "Gym Clips Daily", FITNESS, "Gym motivation and form tips, clipped"),
    ("investwithnoah", "Noah Patel", FINANCE, "Index funds & boring investing that works 📈"),
    ("productivepri", "Priya Shah", BUSINESS, "Systems, Notion templates & deep work ✍️"),
    ("popculture.pete", "Pete Morgan", ENTERTAINMENT, "Pop culture news in 60 seconds 🎬"),
    ("styledbyamara", "Amara Obi", LIFESTYLE, "Capsule wardrobes & thrift flips"),
    ("runnerrae", "Rae Collins", FITNESS, "Marathoner | from couch to 42k, one run at a time"),
    (
        "sidehustlesam",
        "Sam Okafor",
        FINANCE,
        "Side hustles I actually tested. New one every Tuesday.",
    ),
    ("salesbyjordan", "Jordan Hayes", BUSINESS, "Cold outreach that doesn't feel cold."),
    ("skitsbysky", "Sky Thompson", ENTERTAINMENT, "POV skits about office life 💼"),
    ("cozyhome.lena", "Lena Fischer", LIFESTYLE, "Small apartment, big ideas 🏡"),
    ("mealprepmax", "Max Weber", FITNESS, "High-protein meal prep on a budget 🥗"),
    ("financeclips.hq", "Finance Clips HQ", FINANCE, "Money advice from the experts, clipped"),
    ("startupclips", "Startup Clips", BUSINESS, "Startup stories in under a minute 🚀"),
    ("movieclips.mins", "Movie Minutes Clips", ENTERTAINMENT, "Movies explained in a minute 🍿"),
    ("foodie.marco", "Marco Bianchi", LIFESTYLE, "Eating my way through NYC 🍕"),
    ("mindful.maya", "Maya Singh", FITNESS, "Breathwork, sleep & stress tips 🧘"),
    ("debtfreedan", "Dan Reyes", FINANCE, "Paid off $87k in 3 years. Now I show you how."),
    ("ecomwithella", "Ella Novak", BUSINESS, "Running a 7-figure Shopify store. Tips daily."),
    ("gamer.gabe", "Gabe Silva", ENTERTAINMENT, "Gaming fails & wins 🎮 | live on weekends"),
    ("dailyvlog.jules", "Jules Martin", LIFESTYLE, "Slow mornings & city life in Lisbon ☕"),
    ("yogawithtara", "Tara Lee", FITNESS, "Yoga for stiff people. 10 minutes a day."),
    ("frugal.fiona", "Fiona Walsh", FINANCE, "Frugal living & zero-waste 🌱"),
    ("leadershipclips", "Leadership Clips", BUSINESS, "Lessons from great leaders, clipped"),
    ("streamerclips.tv", "Streamer Clips", ENTERTAINMENT, "Best stream moments of the week"),
    ("minimal.maddie", "Maddie Ross", LIFESTYLE, "Minimalism without the beige 🤍"),
    ("coach.dre", "Andre Jackson", FITNESS, "Basketball trainer | drills that work 🏀"),
]

# More Instagram and TikTok than YouTube, as in a short-form agency.
PLATFORM_CYCLE = [
    Platform.INSTAGRAM,
    Platform.TIKTOK,
    Platform.INSTAGRAM,
    Platform.YOUTUBE,
    Platform.TIKTOK,
]

# (caption, idea concept) per niche.
CAPTIONS = {
    FINANCE: [
        (
            "3 money rules I wish I knew at 22 👇",
            "Three simple money rules for people in their twenties.",
        ),
        (
            "How I'd invest my first $1,000 today",
            "A step-by-step plan for investing a first $1,000.",
        ),
        (
            "Stop doing this with your tax refund 🚫",
            "Common mistakes people make with a tax refund.",
        ),
        ("The 50/30/20 budget, explained in 40 seconds", "Explaining the 50/30/20 budgeting rule."),
        (
            "This side hustle made me $2,300 last month",
            "Breaking down the income of one side hustle.",
        ),
        ("Why your savings account is losing money", "How inflation eats the value of savings."),
    ],
    BUSINESS: [
        ("I asked 100 founders their #1 mistake", "Founders share the biggest mistake they made."),
        (
            "The email that landed our biggest client 📩",
            "A cold email template that won a big client.",
        ),
        (
            "Pricing is a marketing decision. Here's why.",
            "How pricing shapes how customers see a brand.",
        ),
        ("My morning routine as a founder ☀️", "A founder's morning routine and why it works."),
        ("Stop posting, start distributing", "Why distribution matters more than content volume."),
        (
            "The Notion setup that runs my whole business",
            "A tour of a Notion workspace for a business.",
        ),
    ],
    ENTERTAINMENT: [
        (
            "When the group chat goes silent after you send a meme 😭",
            "A skit about an ignored meme.",
        ),
        (
            "POV: your boss says 'quick call' at 4:59pm",
            "A relatable office skit about late meetings.",
        ),
        (
            "Reacting to the worst life hacks on the internet",
            "Reacting to useless viral life hacks.",
        ),
        ("This plot twist had everyone screaming 🤯", "A recap of a surprising movie plot twist."),
        ("Rating every fast food fries 🍟", "A comedic ranking of fast food fries."),
        ("He really said that on live TV 💀", "A clip of an awkward live television moment."),
    ],
    LIFESTYLE: [
        ("48 hours in Lisbon for under €200 🇵🇹", "A budget itinerary for a weekend in Lisbon."),
        ("15-minute garlic butter noodles 🍜", "A quick noodle recipe for a weeknight dinner."),
        ("5 outfits, 1 capsule wardrobe", "Styling five outfits from a small capsule wardrobe."),
        (
            "Small apartment makeover on a budget 🏡",
            "Before and after of a budget apartment makeover.",
        ),
        ("A slow Sunday in my life ☕", "A calm day-in-the-life vlog on a Sunday."),
        ("Hidden gems in NYC only locals know", "Lesser-known places worth visiting in New York."),
    ],
    FITNESS: [
        (
            "20-minute full body workout, no equipment 💪",
            "A full-body home workout without equipment.",
        ),
        ("Stop doing squats like this ❌", "Correcting a common squat form mistake."),
        ("What I eat in a day for 180g protein", "A high-protein day of eating."),
        ("Couch to 5k: week 1 🏃", "The first week of a beginner running plan."),
        ("A 2-minute breathing trick for stress", "A short breathing exercise to calm down."),
        ("Meal prep 5 lunches for $25 🥗", "Preparing five cheap, healthy lunches."),
    ],
}

HASHTAGS = {
    FINANCE: ["#personalfinance", "#money", "#investing", "#budgeting", "#financetips"],
    BUSINESS: ["#entrepreneur", "#business", "#startup", "#marketing", "#founder"],
    ENTERTAINMENT: ["#comedy", "#funny", "#skit", "#reaction", "#popculture"],
    LIFESTYLE: ["#travel", "#recipe", "#lifestyle", "#vlog", "#homedecor"],
    FITNESS: ["#fitness", "#workout", "#gym", "#mealprep", "#health"],
}

# Reel styles each niche tends to use (weights follow the order of ReelStyle).
REEL_STYLE_WEIGHTS = {
    FINANCE: [6, 1, 2, 1],
    BUSINESS: [6, 1, 2, 1],
    ENTERTAINMENT: [3, 2, 3, 2],
    LIFESTYLE: [1, 6, 2, 1],
    FITNESS: [2, 4, 3, 1],
}

TRIAL_NOTES = {
    TrialStatus.REJECTED: [
        "Hook too slow: most viewers drop before 3 s.",
        "Below the account's average after 48 h.",
        "Off-brand for this client.",
    ],
    TrialStatus.APPROVED: [
        "Strong retention; moving it to the main grid.",
        "2x the account's average views in 24 h.",
        "Client loved it. Approved.",
    ],
}

ID_CHARS = string.ascii_letters + string.digits + "-_"

# Demo rows are created never due: no queue (stats refresh, new-post detection, profile refresh,
# AI classification) ever reaches this moment, so the jobs leave them alone.
NEVER = datetime(9000, 1, 1, tzinfo=UTC)


@dataclass
class DemoSummary:
    """What a run created (or removed), by kind."""

    counts: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0

    def add(self, kind: str, number: int) -> None:
        self.counts[kind] = self.counts.get(kind, 0) + number

    @property
    def total(self) -> int:
        return sum(self.counts.values())
