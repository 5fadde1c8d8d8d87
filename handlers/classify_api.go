package handlers

import (
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"
	"strings"

	"github.com/servinetwork/rebote/knowledge/bounce"
	"github.com/servinetwork/rebote/web/api"
)

// handleAPIClassify handles the "POST /api/v1/classify" route. The body is
// the bounce as text/plain, or JSON {"text": "..."}.
func (s *Server) handleAPIClassify(w http.ResponseWriter, r *http.Request) error {
	text, err := s.readClassifyBody(w, r)
	if err != nil {
		return err
	}
	d := s.reader.Classify(text)
	s.writeJSON(w, r, http.StatusOK, api.NewClassifyResponse(d, func(slug string) string { return s.absURL(r, "/errores/"+slug) }))
	return nil
}

func (s *Server) readClassifyBody(w http.ResponseWriter, r *http.Request) (string, error) {
	r.Body = http.MaxBytesReader(w, r.Body, bounce.MaxPasteBytes+64<<10)
	raw, err := io.ReadAll(r.Body)
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return "", newUserError(codeTooLarge, "BadRequestTitle", "TooLargeText")
		}
		if gone := readAborted(r, err); gone != nil {
			return "", gone
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
