package bounce

import (
	"encoding/json"
	"regexp"
	"strings"

	"github.com/servinetwork/rebote/knowledge"
)

// sesNotification is the JSON body of an Amazon SES notification (the SNS
// "AWS Notification Message" that customers using SES receive and paste).
type sesNotification struct {
	NotificationType string `json:"notificationType"`
	Bounce           struct {
		BounceType        string `json:"bounceType"`
		ReportingMTA      string `json:"reportingMTA"`
		BouncedRecipients []struct {
			EmailAddress   string `json:"emailAddress"`
			Action         string `json:"action"`
			Status         string `json:"status"`
			DiagnosticCode string `json:"diagnosticCode"`
		} `json:"bouncedRecipients"`
	} `json:"bounce"`
}

var sesTypeRe = regexp.MustCompile(`^\{"notificationType":"(\w+)"`)

// parseSES reads an SES notification in text. It returns the notification
// type ("Bounce", "Complaint", "Delivery") and, for bounces, DSN-like
// recipient blocks.
func parseSES(text string) (string, []dsnRecipient) {
	i := strings.Index(text, `{"notificationType"`)
	if i < 0 {
		return "", nil
	}
	var n sesNotification
	dec := json.NewDecoder(strings.NewReader(text[i:]))
	if err := dec.Decode(&n); err != nil {
		// Notifications are often cut short or mangled in transit; the type
		// alone still tells a complaint or a delivery from a bounce.
		if m := sesTypeRe.FindStringSubmatch(text[i:]); m != nil {
			return m[1], nil
		}
		return "", nil
	}
	var out []dsnRecipient
	for _, r := range n.Bounce.BouncedRecipients {
		d := dsnRecipient{finalRecipient: strings.ToLower(r.EmailAddress), action: strings.ToLower(r.Action),
			diagnostic: typedValue(r.DiagnosticCode), reportingMTA: typedValue(n.Bounce.ReportingMTA)}
		d.status, _ = knowledge.NormalizeStatus(r.Status)
		if d.action == "" {
			d.action = "failed"
		}
		out = append(out, d)
	}
	return n.NotificationType, out
}
