package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/url"
	"strconv"
	"strings"

	"github.com/servinetwork/rebote/knowledge"
)

// Config is the effective configuration of the server: defaults, then
// REBOTE_* environment variables, then command-line flags.
type Config struct {
	Addr      string
	DB        string
	PublicURL string
	LogFormat string
	LogLevel  string
	// RetentionDays is how long raw analytics events are kept; the daily
	// counts stay.
	RetentionDays int
	Policy        knowledge.Policy
}

// setting describes one configuration value for flags, environment and
// the README's table.
type setting struct {
	flag, env, help string
	value           func(c *Config) flag.Value
}

func settings() []setting {
	return []setting{
		{"addr", "REBOTE_ADDR", "address to listen on (host:port)", func(c *Config) flag.Value { return (*stringValue)(&c.Addr) }},
		{"db", "REBOTE_DB", "path of the SQLite database file (created if missing)", func(c *Config) flag.Value { return (*stringValue)(&c.DB) }},
		{"public-url", "REBOTE_PUBLIC_URL", "external base URL for absolute links in the API (default: from the request)", func(c *Config) flag.Value { return (*stringValue)(&c.PublicURL) }},
		{"retention-days", "REBOTE_RETENTION_DAYS", "days raw analytics events are kept before purging (daily counts stay)", func(c *Config) flag.Value { return (*intValue)(&c.RetentionDays) }},
		{"log-format", "REBOTE_LOG_FORMAT", "log format: text or json", func(c *Config) flag.Value { return (*stringValue)(&c.LogFormat) }},
		{"log-level", "REBOTE_LOG_LEVEL", "log level: debug, info, warn or error", func(c *Config) flag.Value { return (*stringValue)(&c.LogLevel) }},
		{"provider-name", "REBOTE_PROVIDER_NAME", "hosting provider's name shown in articles", func(c *Config) flag.Value { return (*stringValue)(&c.Policy.ProviderName) }},
		{"messages-per-hour", "REBOTE_MESSAGES_PER_HOUR", "provider's limit of messages per hour per address", func(c *Config) flag.Value { return (*intValue)(&c.Policy.MessagesPerHour) }},
		{"recipients-per-message", "REBOTE_RECIPIENTS_PER_MESSAGE", "provider's limit of recipients per message", func(c *Config) flag.Value { return (*intValue)(&c.Policy.RecipientsPerMessage) }},
		{"smtp-host", "REBOTE_SMTP_HOST", "provider's outgoing mail server shown in articles", func(c *Config) flag.Value { return (*stringValue)(&c.Policy.SMTPHost) }},
		{"support-url", "REBOTE_SUPPORT_URL", "provider's support / ticket form URL", func(c *Config) flag.Value { return (*stringValue)(&c.Policy.SupportURL) }},
	}
}

func defaultConfig() Config {
	return Config{
		Addr:          ":8080",
		DB:            "rebote.db",
		LogFormat:     "text",
		LogLevel:      "info",
		RetentionDays: 400,
		Policy:        knowledge.DefaultPolicy(),
	}
}

// parseConfig builds the configuration of a subcommand from the
// environment and its arguments, and validates it.
func parseConfig(name string, args []string, getenv func(string) string, stderr io.Writer) (Config, []string, error) {
	c := defaultConfig()
	fs := flag.NewFlagSet("rebote "+name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	for _, s := range settings() {
		v := s.value(&c)
		if env := getenv(s.env); env != "" {
			if err := v.Set(env); err != nil {
				return c, nil, fmt.Errorf("%s=%q: %w", s.env, env, err)
			}
		}
		fs.Var(v, s.flag, s.help+" ($"+s.env+")")
	}
	if err := fs.Parse(args); err != nil {
		return c, nil, err
	}
	return c, fs.Args(), c.validate()
}

// validate refuses a configuration the server could not run with, and says
// why.
func (c Config) validate() error {
	var errs []error
	if _, port, err := net.SplitHostPort(c.Addr); err != nil {
		errs = append(errs, fmt.Errorf("addr %q is not host:port", c.Addr))
	} else if n, err := strconv.Atoi(port); err != nil || n < 0 || n > 65535 {
		errs = append(errs, fmt.Errorf("addr %q has an invalid port", c.Addr))
	}
	if strings.TrimSpace(c.DB) == "" {
		errs = append(errs, errors.New("db must not be empty"))
	}
	if c.PublicURL != "" {
		if err := checkURL(c.PublicURL); err != nil {
			errs = append(errs, fmt.Errorf("public-url: %w", err))
		}
	}
	if err := checkURL(c.Policy.SupportURL); err != nil {
		errs = append(errs, fmt.Errorf("support-url: %w", err))
	}
	if c.RetentionDays < 1 {
		errs = append(errs, fmt.Errorf("retention-days %d must be at least 1", c.RetentionDays))
	}
	if c.LogFormat != "text" && c.LogFormat != "json" {
		errs = append(errs, fmt.Errorf("log-format %q must be text or json", c.LogFormat))
	}
	if _, err := parseLevel(c.LogLevel); err != nil {
		errs = append(errs, err)
	}
	if strings.TrimSpace(c.Policy.ProviderName) == "" {
		errs = append(errs, errors.New("provider-name must not be empty"))
	}
	if c.Policy.MessagesPerHour <= 0 || c.Policy.RecipientsPerMessage <= 0 {
		errs = append(errs, errors.New("messages-per-hour and recipients-per-message must be positive"))
	}
	if strings.TrimSpace(c.Policy.SMTPHost) == "" || strings.ContainsAny(c.Policy.SMTPHost, " /:") {
		errs = append(errs, fmt.Errorf("smtp-host %q must be a host name", c.Policy.SMTPHost))
	}
	return errors.Join(errs...)
}

func checkURL(s string) error {
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return fmt.Errorf("%q must be an absolute http(s) URL", s)
	}
	return nil
}

func parseLevel(s string) (slog.Level, error) {
	var l slog.Level
	if err := l.UnmarshalText([]byte(s)); err != nil {
		return l, fmt.Errorf("log-level %q must be debug, info, warn or error", s)
	}
	return l, nil
}

type stringValue string

func (v *stringValue) String() string     { return string(*v) }
func (v *stringValue) Set(s string) error { *v = stringValue(s); return nil }

type intValue int

func (v *intValue) String() string { return strconv.Itoa(int(*v)) }
func (v *intValue) Set(s string) error {
	n, err := strconv.Atoi(s)
	if err != nil {
		return errors.New("not a whole number")
	}
	*v = intValue(n)
	return nil
}
