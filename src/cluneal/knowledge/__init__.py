"""Knowledge packs: clinical facts as data, each with its sources."""
