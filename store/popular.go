package store

import (
	"context"
	"time"
)

// popularDays is the period the home page's most consulted errors cover.
const popularDays = 30

// popularMin is the count an article needs to displace the editors'
// choice: a few clients, not one.
const popularMin = 3

// Popular ranks the articles for the home page's "most consulted errors":
// as many slugs as editors has, first the articles customers met most in
// the 30 days to now (events marked Popular: diagnoses and articles opened
// from a search, a few per client and hour; page views alone do not
// count), at least popularMin times each, then the editors' own list, in
// order, while there are too few figures (a new installation). known
// drops slugs that no longer name an article; nil keeps them all.
func (db *DB) Popular(ctx context.Context, now time.Time, editors []string, known func(slug string) bool) ([]string, error) {
	n := len(editors)
	top, err := db.topKeys(ctx, "popular", LastDays(now, popularDays, "all"), 3*n)
	if err != nil {
		return nil, err
	}
	list := make([]string, 0, n)
	seen := make(map[string]bool, n)
	add := func(slug string) {
		if len(list) < n && !seen[slug] && (known == nil || known(slug)) {
			seen[slug] = true
			list = append(list, slug)
		}
	}
	for _, e := range top {
		if e.Count >= popularMin {
			add(e.Key)
		}
	}
	for _, slug := range editors {
		add(slug)
	}
	return list, nil
}
