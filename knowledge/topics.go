package knowledge

import (
	"fmt"
	"io/fs"
	"strings"

	"github.com/BurntSushi/toml"
)

// Topic is a question customers bring here that is not a delivery error
// (the webmail password, an invoice, a domain to renew): a short answer
// and the provider's page where it is dealt with. Search shows it beside
// (or instead of) articles when a query asks for it.
type Topic struct {
	Slug  string
	Title string
	Text  string
	Link  string   // the button's text
	URL   string   // the provider's page, from the policy
	Match []string // words and phrases that ask for it (see search.toml's lexicons)
}

// Topics returns the not-an-error topics in their file's order.
func (kb *KB) Topics() []Topic { return kb.topics }

// loadTopics reads topics.toml, with the policy's placeholders filled in.
func loadTopics(fsys fs.FS, vars map[string]string) ([]Topic, []error) {
	raw, err := fs.ReadFile(fsys, "topics.toml")
	if err != nil {
		return nil, []error{fmt.Errorf("topics.toml: %w", err)}
	}
	var file struct {
		Topic []struct {
			Slug  string   `toml:"slug"`
			Title string   `toml:"title"`
			Text  string   `toml:"text"`
			Link  string   `toml:"link"`
			URL   string   `toml:"url"`
			Match []string `toml:"match"`
		} `toml:"topic"`
	}
	md, err := toml.Decode(string(raw), &file)
	if err != nil {
		return nil, []error{fmt.Errorf("topics.toml: %w", err)}
	}
	if extra := md.Undecoded(); len(extra) > 0 {
		return nil, []error{fmt.Errorf("topics.toml: unknown field %q", extra[0].String())}
	}
	var errs []error
	fill := func(slug, s string) string {
		return placeholderRe.ReplaceAllStringFunc(s, func(m string) string {
			name := placeholderRe.FindStringSubmatch(m)[1]
			v, ok := vars[name]
			if !ok {
				errs = append(errs, fmt.Errorf("topics.toml: topic %q: unknown placeholder %s", slug, m))
			}
			return v
		})
	}
	seen := make(map[string]bool)
	topics := make([]Topic, 0, len(file.Topic))
	for _, t := range file.Topic {
		tp := Topic{
			Slug: t.Slug, Title: fill(t.Slug, t.Title), Text: fill(t.Slug, t.Text),
			Link: fill(t.Slug, t.Link), URL: fill(t.Slug, t.URL), Match: t.Match,
		}
		switch {
		case tp.Slug == "" || seen[tp.Slug]:
			errs = append(errs, fmt.Errorf("topics.toml: topic slug %q is empty or used twice", tp.Slug))
		case tp.Title == "" || tp.Text == "" || tp.Link == "" || len(tp.Match) == 0:
			errs = append(errs, fmt.Errorf("topics.toml: topic %q needs title, text, link and match", tp.Slug))
		case !strings.HasPrefix(tp.URL, "https://") && !strings.HasPrefix(tp.URL, "http://"):
			errs = append(errs, fmt.Errorf("topics.toml: topic %q: url %q must be http(s)", tp.Slug, tp.URL))
		}
		seen[tp.Slug] = true
		topics = append(topics, tp)
	}
	return topics, errs
}
