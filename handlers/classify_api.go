package handlers

import (
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"
	"strings"

	"github.com/servinetwork/rebote/knowledge"
)

// ClassifyResponse is the body of POST /api/v1/classify. The command line
// prints the same fields.
type ClassifyResponse struct {
	IsBounce   bool              `json:"is_bounce"`
	Kind       string            `json:"kind"`
	Recipients []RecipientResult `json:"recipients"`
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
func NewClassifyResponse(d knowledge.Diagnosis, article func(slug string) string) ClassifyResponse {
	resp := ClassifyResponse{IsBounce: d.IsBounce(), Kind: string(d.Kind), Recipients: []RecipientResult{}}
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

// handleAPIClassify handles the "POST /api/v1/classify" route. The body is
// the bounce as text/plain, or JSON {"text": "..."}.
func (s *Server) handleAPIClassify(w http.ResponseWriter, r *http.Request) error {
	text, err := s.readClassifyBody(w, r)
	if err != nil {
		return err
	}
	d := s.kb.Classify(text)
	s.writeJSON(w, r, http.StatusOK, NewClassifyResponse(d, func(slug string) string { return s.absURL(r, "/errores/"+slug) }))
	return nil
}

func (s *Server) readClassifyBody(w http.ResponseWriter, r *http.Request) (string, error) {
	r.Body = http.MaxBytesReader(w, r.Body, knowledge.MaxPasteBytes+64<<10)
	raw, err := io.ReadAll(r.Body)
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return "", newUserError(codeTooLarge, "BadRequestTitle", "TooLargeText")
		}
		return "", newUserError(codeBadRequest, "BadRequestTitle", "BadEncodingText")
	}
	mediaType, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	text := string(raw)
	switch {
	case mediaType == "application/json" || (mediaType == "" && strings.HasPrefix(strings.TrimSpace(text), "{")):
		var body struct {
			Text *string `json:"text"`
		}
		if err := json.Unmarshal(raw, &body); err != nil || body.Text == nil {
			return "", newUserError(codeBadRequest, "BadRequestTitle", "BadJSONText")
		}
		text = *body.Text
	case mediaType == "" || mediaType == "text/plain" || strings.HasPrefix(mediaType, "message/"):
	default:
		return "", newUserError(codeUnsupportedMediaType, "BadRequestTitle", "BadMediaTypeText")
	}
	return checkPaste(text)
}
