package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"runtime"
	"runtime/debug"
	"strings"

	"github.com/servinetwork/rebote/knowledge"
	"github.com/servinetwork/rebote/knowledge/bounce"
	"github.com/servinetwork/rebote/knowledge/search"
	"github.com/servinetwork/rebote/web/api"
)

// classifyCmd is "rebote classify [--json] FILE...": it prints, per file,
// one JSON object per line with --json, or a summary in Spanish. "-" reads
// standard input. Nothing else goes to standard output.
func classifyCmd(args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("rebote classify", flag.ContinueOnError)
	fs.SetOutput(stderr)
	asJSON := fs.Bool("json", false, "print one JSON object per file and line")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() == 0 {
		return errors.New("usage: rebote classify [--json] FILE... (- for standard input)")
	}
	cfg, _, err := parseConfig("classify", nil, getenv, stderr)
	if err != nil {
		return err
	}
	// A one-shot command whose heap is the knowledge base and a few
	// diagnoses: collecting garbage a quarter as often saves a fifth of
	// its time. GOGC, when set, still decides.
	if getenv("GOGC") == "" {
		defer debug.SetGCPercent(debug.SetGCPercent(400))
	}

	// Files are read ahead while the knowledge base loads (up to a bound,
	// whatever their number), classified on every core once the reader is
	// ready, and printed in the order given as soon as each one's turn
	// comes.
	type input struct {
		i    int
		text string
		err  error
	}
	names := fs.Args()
	inputs := make(chan input, 256)
	go func() {
		for i, name := range names {
			text, err := readInput(name, stdin)
			inputs <- input{i, text, err}
		}
		close(inputs)
	}()
	kb, err := knowledge.Load(cfg.Policy)
	if err != nil {
		go func() {
			for range inputs { // let the reading finish
			}
		}()
		return err
	}
	// The search index is built only if some file needs it: most bounces
	// are explained by the rules and the codes.
	reader, err := bounce.NewWithSearch(kb, search.Lazy(kb))
	if err != nil {
		go func() {
			for range inputs {
			}
		}()
		return err
	}
	type result struct {
		d   bounce.Diagnosis
		err error
	}
	results := make([]chan result, len(names))
	for i := range results {
		results[i] = make(chan result, 1)
	}
	for range min(runtime.GOMAXPROCS(0), len(names)) {
		go func() {
			for in := range inputs {
				if in.err != nil {
					results[in.i] <- result{err: in.err}
					continue
				}
				results[in.i] <- result{d: reader.Classify(in.text)}
			}
		}()
	}
	articleURL := func(slug string) string { return strings.TrimRight(cfg.PublicURL, "/") + "/errores/" + slug }

	enc := json.NewEncoder(stdout)
	failed := 0
	var writeErr error
	for i, name := range names {
		r := <-results[i]
		switch {
		case writeErr != nil:
			// Drain the rest so no worker is left blocked.
		case r.err != nil:
			fmt.Fprintf(stderr, "rebote: %s: %v\n", name, r.err)
			failed++
		case *asJSON:
			line := struct {
				File string `json:"file"`
				api.ClassifyResponse
			}{name, api.NewClassifyResponse(r.d, articleURL)}
			writeErr = enc.Encode(line)
		default:
			printSummary(stdout, name, r.d)
		}
	}
	if writeErr != nil {
		return writeErr
	}
	if failed > 0 {
		return fmt.Errorf("%d file(s) could not be read", failed)
	}
	return nil
}

func readInput(name string, stdin io.Reader) (string, error) {
	var r io.Reader = stdin
	var b []byte
	if name != "-" {
		f, err := os.Open(name)
		if err != nil {
			return "", err
		}
		defer f.Close()
		r = f
		// A file is read into a buffer of its size (and one byte more, to
		// see the end), not one grown from 512 bytes as io.ReadAll does.
		if fi, err := f.Stat(); err == nil && fi.Mode().IsRegular() {
			b = make([]byte, 0, min(fi.Size(), bounce.MaxPasteBytes)+1)
		}
	}
	b, err := readAll(b, io.LimitReader(r, bounce.MaxPasteBytes+1))
	if err != nil {
		return "", err
	}
	if len(b) > bounce.MaxPasteBytes {
		return "", fmt.Errorf("larger than %d bytes", bounce.MaxPasteBytes)
	}
	return string(b), nil
}

// readAll is io.ReadAll appending to b.
func readAll(b []byte, r io.Reader) ([]byte, error) {
	for {
		if len(b) == cap(b) {
			b = append(b, 0)[:len(b)] // room to read into
		}
		n, err := r.Read(b[len(b):cap(b)])
		b = b[:len(b)+n]
		if err == io.EOF {
			return b, nil
		}
		if err != nil {
			return b, err
		}
	}
}

// kindSummaries describe in Spanish the pastes that are not bounces.
var kindSummaries = map[bounce.Kind]string{
	bounce.KindNone:      "no parece un rebote",
	bounce.KindAutoReply: "respuesta automática (fuera de la oficina): el mensaje sí llegó",
	bounce.KindFeedback:  "queja de spam (informe ARF): el mensaje sí llegó",
	bounce.KindDelivered: "confirmación de entrega: el mensaje llegó",
}

func printSummary(w io.Writer, name string, d bounce.Diagnosis) {
	if !d.IsBounce() {
		fmt.Fprintf(w, "%s: %s\n", name, kindSummaries[d.Kind])
		return
	}
	fmt.Fprintf(w, "%s: rebote, %d destinatario(s) con problemas\n", name, len(d.Recipients))
	for _, v := range d.Recipients {
		addr := v.Address
		if addr == "" {
			addr = "(dirección no indicada)"
		}
		persistence := "definitivo"
		switch {
		case v.Article != nil && v.Article.Persistence == knowledge.Outbox:
			// What the mail program says while sending was never queued.
			persistence = "no ha salido: sigue en la Bandeja de salida"
		case v.Temporary:
			persistence = "temporal"
		}
		codes := strings.TrimSpace(v.ReplyCode + " " + v.Status)
		fmt.Fprintf(w, "  %s: %s [%s; %s; %s]\n", addr, v.Article.Title, v.Reason, orDash(codes), persistence)
		for _, a := range v.Advice {
			fmt.Fprintf(w, "    - %s\n", a)
		}
		fmt.Fprintf(w, "    Más información: /errores/%s\n", v.Article.Slug)
	}
}

func orDash(s string) string {
	if s == "" {
		return "sin código"
	}
	return s
}
