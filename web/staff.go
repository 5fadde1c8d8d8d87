package web

import (
	"fmt"
	"strconv"
	"strings"
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

	Totals     Totals
	Previous   Totals
	TopErrors  []ErrorRow
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

// Percent formats the share, or "—" when there is nothing to divide.
func (s Share) Percent() string {
	if s.Whole == 0 {
		return "—"
	}
	return strconv.FormatInt((s.Part*100+s.Whole/2)/s.Whole, 10) + " %"
}

// ErrorRow is one line of the top errors table.
type ErrorRow struct {
	Reason, Article, Title string
	Count, Previous        int64
	Trend                  []int64 // per day, oldest first
}

// Change describes the count against the previous period.
func (e ErrorRow) Change() string { return change(e.Count, e.Previous) }

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

func change(now, before int64) string {
	switch {
	case before == 0 && now == 0:
		return "="
	case before == 0:
		return "" // new this period: the page says so in its language
	}
	pct := (now - before) * 100 / before
	if pct > 0 {
		return fmt.Sprintf("+%d %%", pct)
	}
	return fmt.Sprintf("%d %%", pct)
}

// sparkline returns the points of an SVG polyline drawing values in a
// 100×24 box.
func sparkline(values []int64) string {
	if len(values) == 0 {
		return ""
	}
	var peak int64 = 1
	for _, v := range values {
		peak = max(peak, v)
	}
	var b strings.Builder
	step := 100.0
	if len(values) > 1 {
		step = 100.0 / float64(len(values)-1)
	}
	for i, v := range values {
		y := 22 - float64(v)*20/float64(peak)
		fmt.Fprintf(&b, "%.1f,%.1f ", float64(i)*step, y)
	}
	return strings.TrimSpace(b.String())
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
