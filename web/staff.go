package web

import (
	"context"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"sync"

	"golang.org/x/text/message"

	"github.com/servinetwork/rebote/locales"
)

// SignInView is the staff sign-in form.
type SignInView struct {
	Name  string // echoed back after a failed attempt
	Next  string // where to go after signing in
	Error string // message ID of what went wrong, if anything
}

// DashboardView is the staff dashboard for one period and source.
type DashboardView struct {
	Staff  string
	Days   int    // 7, 30, 90, or 0 for a custom range
	From   string // YYYY-MM-DD
	To     string
	Source string // ticket, direct or all
	Query  string // the period and source as a query string, for CSV links
	// PeriodError, when set, is why the period asked for could not be
	// shown (already translated); the dashboard shows the default period.
	PeriodError string
	// FromInput and ToInput fill the custom range's fields: what was typed
	// after an error, else the period shown.
	FromInput, ToInput string
	Limit              int  // rows a table shows at most
	EndsToday          bool // the period's last day is today, still counting

	Totals     Totals
	Previous   Totals
	TopErrors  []ErrorRow
	TrendPeak  int64 // the highest day of any trend: every trend is drawn to this scale
	Failed     []CountRow
	Unread     []CountRow
	Feedback   []VoteRow
	Comments   []CommentRow
	Tickets    []CountRow
	Deflection Share // ticket-form visitors who voted that it helped
}

// Totals are a period's headline figures.
type Totals struct {
	Views, Searches, FailedSearches, Diagnoses, Bounces, Unread, Tickets int64
	Helpful                                                              Share
}

// Share is a proportion with the counts behind it.
type Share struct {
	Part, Whole int64
}

// ErrorRow is one line of the top errors table.
type ErrorRow struct {
	Reason, Article string
	Title           string // the article's title, or a plain name of the reason
	Linked          bool   // Article exists: Title links to it
	Count, Previous int64
	Trend           []int64 // per day, oldest first
}

// CountRow is a key and its count: a query, a masked line.
type CountRow struct {
	Key   string
	Title string // a readable name for the key, when it has one
	Count int64
}

// VoteRow is the helpfulness of one article or diagnosed reason.
type VoteRow struct {
	Subject, Title string
	Yes, No        int64
}

// Share is the proportion of yes votes.
func (v VoteRow) Share() Share { return Share{v.Yes, v.Yes + v.No} }

// CommentRow is one vote's comment.
type CommentRow struct {
	Day, Subject, Title string
	Helpful             bool
	Text                string
}

// trendWidth and trendHeight are the size of a trend's SVG box.
const (
	trendWidth  = 120.0
	trendHeight = 28.0
)

// trendPoints returns the points of an SVG polyline drawing values in the
// trend box, scaled so that peak is the top: every row shares one scale.
func trendPoints(values []int64, peak int64) string {
	if len(values) == 0 {
		return ""
	}
	peak = max(peak, 1)
	var b strings.Builder
	step := trendWidth
	if len(values) > 1 {
		step = trendWidth / float64(len(values)-1)
	}
	for i, v := range values {
		y := trendHeight - 2 - float64(v)*(trendHeight-4)/float64(peak)
		fmt.Fprintf(&b, "%.1f,%.1f ", float64(i)*step, y)
	}
	return strings.TrimSpace(b.String())
}

// trendLines splits a trend's polyline in two: the finished days, and,
// when the period ends today, the last segment to today's count so far,
// drawn dashed so an unfinished day does not read as a fall.
func trendLines(values []int64, peak int64, endsToday bool) (done, today string) {
	if !endsToday || len(values) < 2 {
		return trendPoints(values, peak), ""
	}
	all := strings.Fields(trendPoints(values, peak))
	return strings.Join(all[:len(all)-1], " "), strings.Join(all[len(all)-2:], " ")
}

// peak is the largest value of a trend, for its accessible description.
func peak(values []int64) int64 {
	var p int64
	for _, v := range values {
		p = max(p, v)
	}
	return p
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// printers format numbers per interface language, built once.
var printers = sync.OnceValue(func() map[string]*message.Printer {
	m := make(map[string]*message.Printer)
	for _, tag := range locales.Languages() {
		base, _ := tag.Base()
		m[base.String()] = message.NewPrinter(tag)
	}
	return m
})

// num formats a count for the request's language: 13.473 in Spanish,
// 13,473 in English. Spanish leaves four-digit numbers whole (1473), as
// the RAE and CLDR do.
func num(ctx context.Context, n int64) string {
	lang := locales.Lang(ctx)
	if lang == "es" && n > -10000 && n < 10000 {
		return itoa(n)
	}
	p, ok := printers()[lang]
	if !ok {
		return itoa(n)
	}
	return p.Sprintf("%d", n)
}

// percent formats a share for the request's language ("70 %", "70%"),
// "—" when there is nothing to divide.
func percent(ctx context.Context, s Share) string {
	if s.Whole == 0 {
		return "—"
	}
	return t(ctx, "Percent", "N", (s.Part*100+s.Whole/2)/s.Whole)
}

// changeView is a figure against the previous period: an arrow for the
// eye (hidden from screen readers) and words that say more or less than
// what.
type changeView struct {
	Arrow string // ▲, ▼ or =
	Text  string
}

// previousPeriod names the period a change compares with.
func previousPeriod(ctx context.Context, v DashboardView) string {
	if v.Days > 0 {
		return t(ctx, "PreviousDays", "Days", v.Days)
	}
	return t(ctx, "PreviousRange")
}

// figureChange describes now against before in words.
func figureChange(ctx context.Context, v DashboardView, now, before int64) changeView {
	prev := previousPeriod(ctx, v)
	switch {
	case before == 0 && now == 0:
		return changeView{"=", t(ctx, "ChangeSame", "Period", prev)}
	case before == 0:
		return changeView{"▲", t(ctx, "ChangeFromNothing", "Period", prev)}
	}
	pct := (now - before) * 100 / before
	switch {
	case pct > 0:
		return changeView{"▲", t(ctx, "ChangeUp", "Pct", num(ctx, pct), "Period", prev)}
	case pct < 0:
		return changeView{"▼", t(ctx, "ChangeDown", "Pct", num(ctx, -pct), "Period", prev)}
	}
	return changeView{"=", t(ctx, "ChangeSame", "Period", prev)}
}

// rowChange is a table cell's change: short, the column header says
// against what.
func rowChange(ctx context.Context, now, before int64) changeView {
	switch {
	case before == 0 && now > 0:
		return changeView{"▲", t(ctx, "ChangeNew")}
	case before == 0:
		return changeView{"=", "="}
	}
	pct := (now - before) * 100 / before
	switch {
	case pct > 0:
		return changeView{"▲", "+" + t(ctx, "Percent", "N", num(ctx, pct))}
	case pct < 0:
		return changeView{"▼", "−" + t(ctx, "Percent", "N", num(ctx, -pct))}
	}
	return changeView{"=", t(ctx, "Percent", "N", 0)}
}

// dashboardURL is the dashboard for a period and source.
func dashboardURL(days int, from, to, source string) string {
	q := url.Values{"dias": {strconv.Itoa(days)}, "origen": {source}}
	if days == 0 {
		q.Set("desde", from)
		q.Set("hasta", to)
	}
	return "/staff?" + q.Encode()
}

// unbroken keeps a date such as 2026-11-07 on one line: its hyphens are
// non-breaking.
func unbroken(date string) string { return strings.ReplaceAll(date, "-", "\u2011") }
