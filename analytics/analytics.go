// Package analytics records what customers do (articles read, searches,
// diagnoses, votes) without slowing a page: handlers hand events to a
// Recorder, which queues them in memory and lets a single writer save them
// in batches. It keeps no personal data: events hold slugs, reasons,
// normalised queries and SMTP lines with addresses and hosts masked.
package analytics

import (
	"time"
)

// Kind is what happened.
type Kind string

const (
	KindView      Kind = "view"      // an article was shown
	KindSearch    Kind = "search"    // a search was run
	KindDiagnosis Kind = "diagnosis" // a pasted text was classified
	KindVote      Kind = "vote"      // "¿Te ha ayudado?" was answered
	KindTicket    Kind = "ticket"    // "Sigo necesitando ayuda" led to the ticket form
	KindCheck     Kind = "check"     // a live DNS check ran (Outcomes); never what was checked
)

// Source is where the visitor came from.
type Source string

const (
	SourceTicket   Source = "ticket"   // a link in the provider's ticket form
	SourceSearch   Source = "search"   // Rebote's own search results
	SourceHome     Source = "home"     // Rebote's home page
	SourceExternal Source = "external" // another site
	SourceDirect   Source = "direct"   // typed, bookmarked, or unknown
)

// ParseSource maps the value of an origen parameter to a Source; anything
// unknown is direct, so a crafted value cannot invent a category.
func ParseSource(s string) Source {
	switch Source(s) {
	case SourceTicket, SourceSearch, SourceHome, SourceExternal:
		return Source(s)
	}
	// Spanish spellings used in Rebote's own links.
	switch s {
	case "buscar", "busqueda":
		return SourceSearch
	case "inicio":
		return SourceHome
	case "externo":
		return SourceExternal
	}
	return SourceDirect
}

// Finding is one error an event is about: the reason in the Sisimai
// taxonomy and the article that explains it.
type Finding struct {
	Reason  string
	Article string
}

// Event is one thing a visitor did. Only the fields of its Kind are set.
type Event struct {
	At     time.Time
	Kind   Kind
	Source Source

	// Article is the slug read (view), voted on (vote) or asked about
	// (ticket). Empty for votes and tickets about a diagnosis.
	Article string
	// Findings are the errors met: one per recipient of a diagnosis, the
	// article's own reason for a view, the diagnosed reason for a vote or
	// ticket about a diagnosis.
	Findings []Finding

	// Query is a normalised search (search), and for a view reached from
	// the search results, the query that led there.
	Query   string
	Results int

	// Diagnosis details.
	Bounce     bool
	Recipients int
	Confidence float64
	// Line is the SMTP line of a diagnosis that failed or had low
	// confidence, already masked with MaskLine.
	Line string

	// Vote details. The comment is masked (MaskComment) when recorded.
	Helpful bool
	Comment string

	// Check details: what was checked (domain, recipient or ip) and the
	// outcome class of each check ("spf:fallo", "dnsbl:ok"). The domain
	// or IP itself is never recorded.
	Check    string
	Outcomes []string

	// Popular counts the event's articles towards the home page's "most
	// consulted errors". Handlers set it on diagnoses and on articles
	// opened from a search, at most a few times per client and hour, so
	// that neither page views nor one busy client decide the list.
	Popular bool
}

// Limits on what an event may carry, so a hostile client cannot fill the
// database through a field.
const (
	MaxQueryLen   = 200
	MaxCommentLen = 500
	MaxLineLen    = 300
	MaxOutcomes   = 16
)

// clean enforces the limits and fills in the time.
func (e Event) clean(now time.Time) Event {
	if e.At.IsZero() {
		e.At = now
	}
	if e.Source == "" {
		e.Source = SourceDirect
	}
	e.Query = truncate(e.Query, MaxQueryLen)
	if e.Comment != "" {
		e.Comment = MaskComment(e.Comment)
	}
	e.Line = truncate(e.Line, MaxLineLen)
	if len(e.Outcomes) > MaxOutcomes {
		e.Outcomes = e.Outcomes[:MaxOutcomes]
	}
	return e
}

// truncate cuts s to at most n bytes without splitting a character.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

func utf8RuneStart(b byte) bool { return b&0xC0 != 0x80 }
