"""One spider per kind of source (Source.kind): feed, web, reddit, mastodon, hackernews, appstore."""
