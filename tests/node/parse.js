// Parse a feed with Podcast Index's parser and print what it read, as JSON.
const fs = require("fs");
const { parseFeed } = require("podcast-partytime");
const feed = parseFeed(fs.readFileSync(process.argv[2], "utf8"), { allowMissingGuid: false });
process.stdout.write(JSON.stringify(feed));
