"""The default AI taxonomy for short-form agency content (specs/ai.md).

Idempotent: existing categories and sub-categories (same names) are kept, missing ones added,
so it never overwrites what operators edited. Reversing leaves the rows: posts are classified
with them.
"""

from django.db import migrations

DEFAULT_TAXONOMY = {
    "Finance": [
        "Personal Finance",
        "Investing",
        "Stocks & Trading",
        "Crypto",
        "Real Estate",
        "Budgeting & Saving",
        "Side Hustles",
    ],
    "Business": [
        "Entrepreneurship",
        "Marketing",
        "Sales",
        "E-commerce",
        "Startups",
        "Careers & Jobs",
        "Productivity",
    ],
    "Education": [
        "Science",
        "History",
        "Languages",
        "Study Tips",
        "Explainers",
        "Life Hacks",
    ],
    "Entertainment": [
        "Comedy & Skits",
        "Reactions",
        "Pop Culture",
        "Movies & TV",
        "Music & Dance",
        "Memes & Trends",
        "Celebrities",
    ],
    "Lifestyle": [
        "Day in the Life",
        "Travel",
        "Home & Decor",
        "Parenting & Family",
        "Pets",
        "Luxury",
    ],
    "Fitness & Health": [
        "Workouts",
        "Nutrition",
        "Weight Loss",
        "Mental Health",
        "Wellness",
        "Yoga & Mobility",
    ],
    "Beauty & Fashion": [
        "Makeup",
        "Skincare",
        "Hair",
        "Outfits & Style",
        "Nails",
        "Men's Grooming",
    ],
    "Food": [
        "Recipes",
        "Cooking Tips",
        "Restaurants & Reviews",
        "Healthy Eating",
        "Baking & Desserts",
        "Street Food",
    ],
    "Tech": [
        "Gadgets & Reviews",
        "AI",
        "Apps & Software",
        "Tech News",
        "Coding",
        "Tips & Tutorials",
    ],
    "Gaming": [
        "Gameplay",
        "Esports",
        "Game Reviews",
        "Streaming Clips",
        "Mobile Games",
        "Gaming News",
    ],
    "Motivation": [
        "Mindset",
        "Self-Improvement",
        "Success Stories",
        "Discipline & Habits",
        "Quotes",
        "Spirituality",
    ],
    "News & Politics": [
        "Current Events",
        "Politics",
        "Economy",
        "World News",
        "Social Issues",
        "Commentary",
    ],
    "Relationships": [
        "Dating",
        "Marriage",
        "Friendship",
        "Breakups",
        "Family",
        "Advice",
    ],
    "Sports": [
        "Football",
        "Soccer",
        "Basketball",
        "Combat Sports",
        "Motorsport",
        "Highlights",
        "Athletes",
    ],
}


def seed_taxonomy(apps, schema_editor):
    Category = apps.get_model("settings_app", "Category")
    Subcategory = apps.get_model("settings_app", "Subcategory")
    db = schema_editor.connection.alias
    for name, subcategories in DEFAULT_TAXONOMY.items():
        category, _ = Category.objects.using(db).get_or_create(name=name)
        for sub in subcategories:
            Subcategory.objects.using(db).get_or_create(category=category, name=sub)


class Migration(migrations.Migration):
    dependencies = [("settings_app", "0001_initial")]

    operations = [migrations.RunPython(seed_taxonomy, migrations.RunPython.noop)]
