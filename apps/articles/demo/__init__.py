"""Demo content for `manage.py load_demo`: original analyses written for this project.

Each article is a Markdown file in `articles/` that the importer could read on its own (a `#`
title, a lead, `##` sections), preceded by TOML front matter between `+++` lines for what a
plain document cannot say: slug, dek, format, bylines, vocabulary, tags, takeaways, publishing.
"""
