"""Scrapy project: one spider per kind of source, small middlewares wired by settings, one ingest pipeline.

Source options (``sources[].options``; unknown keys are a configuration error, exit 2):

every kind     max_pages (pagination bound), max_bytes (largest response), requests_per_minute (API limit; default:
               the documented one), require_match (keep only text matching a brand query; appstore: false)
feed           fetch_articles: follow entry links and store the page's main text (trafilatura). A URL with
               ``{query}`` (and ``{lang}``) is a search feed expanded per brand.
web            follow / deny / articles: URL regexes; max_depth; selectors: {post, text, author, date, id, reply_to,
               title} (CSS, relative to a post) or the shorthand post_selector. Pages with posts give one mention
               per post; followed pages without posts are articles (main text) unless `articles` narrows that.
reddit         subreddits, comments (fetch comment trees: the brand's replies), limit; credentials_env.token
mastodon       tags (default: the brands' hashtags), search, accounts (the brand's care accounts), limit;
               credentials_env.access_token (or .token)
hackernews     tags, hits_per_page, item_url
appstore       urls are customer-review feed URLs with ``page=1``; the source's ``brands`` own the reviews

Crawl state lives in ``$ASCOLTO_HOME/crawl/<source>.json``; ``ASCOLTO_CRAWL_SETTINGS`` (a JSON object of Scrapy
settings) overrides the pace for tests and benchmarks.
"""
