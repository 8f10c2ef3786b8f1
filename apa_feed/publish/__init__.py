"""Publishing a built show: the plan against the store, the identity guard and apa-feed.lock, the run
lock, uploading and writing the feed last, verification through base_url, rollback."""
