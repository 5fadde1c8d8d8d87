package web

import (
	"context"
	"testing"

	"github.com/nicksnyder/go-i18n/v2/i18n"

	"github.com/servinetwork/rebote/locales"
)

func langContext(t *testing.T, lang string) context.Context {
	t.Helper()
	b, err := locales.NewBundle()
	if err != nil {
		t.Fatal(err)
	}
	return locales.WithLocalizer(context.Background(), i18n.NewLocalizer(b, lang), lang)
}

func TestNumbersReadAsInTheirLanguage(t *testing.T) {
	es, en := langContext(t, "es"), langContext(t, "en")
	tests := []struct {
		ctx  context.Context
		n    int64
		want string
	}{
		{es, 13473, "13.473"},
		{es, 1473, "1473"}, // Spanish groups from five digits
		{es, 1234567, "1.234.567"},
		{en, 13473, "13,473"},
		{en, 1473, "1,473"},
	}
	for _, tt := range tests {
		if got := num(tt.ctx, tt.n); got != tt.want {
			t.Errorf("num(%s, %d) = %q, want %q", locales.Lang(tt.ctx), tt.n, got, tt.want)
		}
	}
	v := DashboardView{Days: 30}
	for _, tt := range []struct {
		now, before int64
		want        string
	}{
		{110, 100, "▲ 10 % más que los 30 días anteriores"},
		{99, 100, "▼ 1 % menos que los 30 días anteriores"},
		{5, 0, "▲ ninguno en los 30 días anteriores"},
		{7, 7, "= igual que los 30 días anteriores"},
	} {
		c := figureChange(es, v, tt.now, tt.before)
		if got := c.Arrow + " " + c.Text; got != tt.want {
			t.Errorf("figureChange(%d, %d) = %q, want %q", tt.now, tt.before, got, tt.want)
		}
	}
}

// Every trend shares the scale it is given, and today's unfinished day is
// a segment of its own.
func TestTrendLines(t *testing.T) {
	done, today := trendLines([]int64{0, 10, 5}, 10, true)
	if done != "0.0,26.0 60.0,2.0" || today != "60.0,2.0 120.0,14.0" {
		t.Errorf("trendLines = %q, %q", done, today)
	}
	if done, today := trendLines([]int64{0, 10, 5}, 20, false); done != "0.0,26.0 60.0,14.0 120.0,20.0" || today != "" {
		t.Errorf("trendLines on a shared scale of 20 = %q, %q", done, today)
	}
}
