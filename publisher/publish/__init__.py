"""Publish stage: the upload plan (pure, with reasons), the run (media -> pages -> feed ->
deletions), the GUID history guard and verification as an app would fetch."""
