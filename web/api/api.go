// Package api defines the JSON bodies of Rebote's API (/api/v1) that more
// than the handlers produce: the classify answer, which "rebote classify
// --json" prints too. It is the JSON counterpart of package web's HTML
// views: it turns a diagnosis into what clients read, and does no I/O.
package api

import "github.com/servinetwork/rebote/knowledge/bounce"

// ClassifyResponse is the body of POST /api/v1/classify. The command line
// prints the same fields.
type ClassifyResponse struct {
	IsBounce   bool              `json:"is_bounce"`
	Kind       string            `json:"kind"`
	Recipients []RecipientResult `json:"recipients"`
	// Omitted counts the failed recipients beyond those listed: a paste of
	// thousands gets the first 100 judged one by one.
	Omitted int `json:"omitted"`
}

// RecipientResult is one failed recipient in the JSON answers.
type RecipientResult struct {
	Address    string   `json:"address"`
	ReplyCode  string   `json:"reply_code"`
	Status     string   `json:"status"`
	Reason     string   `json:"reason"`
	Temporary  bool     `json:"temporary"`
	RemoteHost string   `json:"remote_host"`
	RemoteIP   string   `json:"remote_ip"`
	Article    string   `json:"article"`
	Confidence float64  `json:"confidence"`
	Evidence   []string `json:"evidence"`
	Advice     []string `json:"advice"`
}

// NewClassifyResponse converts a diagnosis for the JSON answers; article
// is the link to an article for its slug.
func NewClassifyResponse(d bounce.Diagnosis, article func(slug string) string) ClassifyResponse {
	resp := ClassifyResponse{IsBounce: d.IsBounce(), Kind: string(d.Kind), Recipients: []RecipientResult{}, Omitted: d.Omitted}
	for _, v := range d.Recipients {
		r := RecipientResult{
			Address: v.Address, ReplyCode: v.ReplyCode, Status: v.Status, Reason: v.Reason, Temporary: v.Temporary,
			RemoteHost: v.RemoteHost, RemoteIP: v.RemoteIP, Confidence: v.Confidence,
			Evidence: nonNil(v.Evidence), Advice: nonNil(v.Advice),
		}
		if v.Article != nil {
			r.Article = article(v.Article.Slug)
		}
		resp.Recipients = append(resp.Recipients, r)
	}
	return resp
}

// nonNil makes an absent list an empty JSON array rather than null, which
// clients iterate without a check.
func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
