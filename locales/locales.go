// Package locales holds the interface strings of Rebote in Spanish and
// English (go-i18n message files) and the per-request helpers that templates
// use to translate them.
//
// Knowledge-base text is not here: it is content, owned by package knowledge,
// and only exists in Spanish.
package locales

import (
	"context"
	"embed"
	"encoding/json"
	"fmt"

	"github.com/nicksnyder/go-i18n/v2/i18n"
	"golang.org/x/text/language"
)

//go:embed *.json
var files embed.FS

// Languages returns the interface languages, the default first. Each has
// a message file named after its base ("es.json"). The slice is new on
// every call, so no caller can change the list for the others.
func Languages() []language.Tag {
	return []language.Tag{language.Spanish, language.English}
}

// NewBundle loads the embedded message files. The bundle is built once at
// start-up and only read afterwards, as go-i18n requires.
func NewBundle() (*i18n.Bundle, error) {
	b := i18n.NewBundle(language.Spanish)
	b.RegisterUnmarshalFunc("json", json.Unmarshal)
	for _, tag := range Languages() {
		base, _ := tag.Base()
		if _, err := b.LoadMessageFileFS(files, base.String()+".json"); err != nil {
			return nil, fmt.Errorf("locales: %w", err)
		}
	}
	return b, nil
}

// Messages returns the message IDs and texts of one file, for the test that
// every language has every message.
func Messages(file string) (map[string]any, error) {
	raw, err := files.ReadFile(file)
	if err != nil {
		return nil, err
	}
	msgs := make(map[string]any)
	if err := json.Unmarshal(raw, &msgs); err != nil {
		return nil, fmt.Errorf("locales: %s: %w", file, err)
	}
	return msgs, nil
}

type contextKey int

const localizerKey contextKey = 0

type localeValue struct {
	loc  *i18n.Localizer
	lang string
}

// WithLocalizer returns a context carrying the request's localizer and the
// language it resolved to ("es" or "en").
func WithLocalizer(ctx context.Context, loc *i18n.Localizer, lang string) context.Context {
	return context.WithValue(ctx, localizerKey, localeValue{loc: loc, lang: lang})
}

// Lang returns the request's language, Spanish when none was set.
func Lang(ctx context.Context) string {
	if v, ok := ctx.Value(localizerKey).(localeValue); ok {
		return v.lang
	}
	return "es"
}

// T translates a message ID. data fills the message's template variables
// (pairs of name and value). It never panics: a missing message renders as
// its ID, which the completeness test keeps from happening.
func T(ctx context.Context, id string, data ...any) string {
	v, ok := ctx.Value(localizerKey).(localeValue)
	if !ok || v.loc == nil {
		return id
	}
	cfg := &i18n.LocalizeConfig{MessageID: id}
	if len(data) > 0 {
		td := make(map[string]any, len(data)/2)
		for i := 0; i+1 < len(data); i += 2 {
			td[fmt.Sprint(data[i])] = data[i+1]
		}
		cfg.TemplateData = td
	}
	s, err := v.loc.Localize(cfg)
	if err != nil && s == "" {
		return id
	}
	return s
}

// TN translates a message with plural forms for count n.
func TN(ctx context.Context, id string, n int) string {
	v, ok := ctx.Value(localizerKey).(localeValue)
	if !ok || v.loc == nil {
		return id
	}
	s, err := v.loc.Localize(&i18n.LocalizeConfig{MessageID: id, PluralCount: n, TemplateData: map[string]any{"Count": n}})
	if err != nil && s == "" {
		return id
	}
	return s
}
