package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/netip"
	"net/url"
	"strconv"
	"strings"

	"github.com/servinetwork/rebote/dnscheck"
	"github.com/servinetwork/rebote/knowledge"
	"github.com/servinetwork/rebote/store"
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
	// OriginParam is the query parameter the ticket form's links use.
	OriginParam string
	// CORSOrigins may call the JSON API from their pages (the widget).
	CORSOrigins []string
	// FrameAncestors may show Rebote in a frame.
	FrameAncestors []string
	// HSTS sends Strict-Transport-Security (Rebote is served over TLS).
	HSTS bool
	// RateLimit is the diagnoses and API calls per minute one client may
	// make (0: no limit); sign-in has its own, fixed limit.
	RateLimit int
	// MemoryLimit is the Go runtime's soft memory limit in MiB: the
	// garbage collector works harder near it rather than let the process
	// grow (0: none; GOMEMLIMIT, when set, wins).
	MemoryLimit int
	// BehindProxy trusts ProxyHeader for the client address the rate
	// limits count (only behind a proxy that sets it).
	BehindProxy bool
	// ProxyHeader is the header the proxy puts the client's address in:
	// X-Forwarded-For (its last entry) or one with a single address, such
	// as X-Real-IP. Only it is read, and only with BehindProxy.
	ProxyHeader string
	Policy      knowledge.Policy

	// The live DNS checks (/comprobar).
	DNSServer     string   // resolver host:port; "" for the system's
	DNSBLZones    []string // blocklists an IP is looked up in
	SPFInclude    string   // the include customers' SPF records need
	DKIMSelectors []string // the selectors the provider signs with
	ProviderMX    []string // the provider's incoming mail servers
	OutboundIPs   []string // the provider's sending IPs
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
		{"db", "REBOTE_DB", "path of the SQLite database file (created if missing), or a postgres:// URL shared by several instances", func(c *Config) flag.Value { return (*stringValue)(&c.DB) }},
		{"public-url", "REBOTE_PUBLIC_URL", "external base URL for absolute links in the API (default: from the request)", func(c *Config) flag.Value { return (*stringValue)(&c.PublicURL) }},
		{"retention-days", "REBOTE_RETENTION_DAYS", "days raw analytics events are kept before purging (daily counts stay)", func(c *Config) flag.Value { return (*intValue)(&c.RetentionDays) }},
		{"origin-param", "REBOTE_ORIGIN_PARAM", "query parameter the ticket form's links set to ticket (origen=ticket)", func(c *Config) flag.Value { return (*stringValue)(&c.OriginParam) }},
		{"cors-origins", "REBOTE_CORS_ORIGINS", "comma-separated origins allowed to call the JSON API from their pages (the widget's host)", func(c *Config) flag.Value { return (*listValue)(&c.CORSOrigins) }},
		{"frame-ancestors", "REBOTE_FRAME_ANCESTORS", "comma-separated origins allowed to frame Rebote (CSP frame-ancestors)", func(c *Config) flag.Value { return (*listValue)(&c.FrameAncestors) }},
		{"hsts", "REBOTE_HSTS", "send Strict-Transport-Security (set when served over TLS)", func(c *Config) flag.Value { return (*boolValue)(&c.HSTS) }},
		{"rate-limit", "REBOTE_RATE_LIMIT", "diagnoses and API calls per minute per client (0: no limit)", func(c *Config) flag.Value { return (*intValue)(&c.RateLimit) }},
		{"behind-proxy", "REBOTE_BEHIND_PROXY", "take the client address of rate limits from --proxy-header (only behind a proxy that sets it)", func(c *Config) flag.Value { return (*boolValue)(&c.BehindProxy) }},
		{"proxy-header", "REBOTE_PROXY_HEADER", "header the proxy puts the client address in: X-Forwarded-For (its last entry) or one like X-Real-IP", func(c *Config) flag.Value { return (*stringValue)(&c.ProxyHeader) }},
		{"memory-limit", "REBOTE_MEMORY_LIMIT", "soft memory limit for the Go runtime, in MiB (0: none; GOMEMLIMIT wins)", func(c *Config) flag.Value { return (*intValue)(&c.MemoryLimit) }},
		{"log-format", "REBOTE_LOG_FORMAT", "log format: text or json", func(c *Config) flag.Value { return (*stringValue)(&c.LogFormat) }},
		{"log-level", "REBOTE_LOG_LEVEL", "log level: debug, info, warn or error", func(c *Config) flag.Value { return (*stringValue)(&c.LogLevel) }},
		{"provider-name", "REBOTE_PROVIDER_NAME", "hosting provider's name shown in articles", func(c *Config) flag.Value { return (*stringValue)(&c.Policy.ProviderName) }},
		{"messages-per-hour", "REBOTE_MESSAGES_PER_HOUR", "provider's limit of messages per hour per address", func(c *Config) flag.Value { return (*intValue)(&c.Policy.MessagesPerHour) }},
		{"recipients-per-message", "REBOTE_RECIPIENTS_PER_MESSAGE", "provider's limit of recipients per message", func(c *Config) flag.Value { return (*intValue)(&c.Policy.RecipientsPerMessage) }},
		{"smtp-host", "REBOTE_SMTP_HOST", "provider's outgoing mail server shown in articles", func(c *Config) flag.Value { return (*stringValue)(&c.Policy.SMTPHost) }},
		{"support-url", "REBOTE_SUPPORT_URL", "provider's support / ticket form URL", func(c *Config) flag.Value { return (*stringValue)(&c.Policy.SupportURL) }},
		{"dns-server", "REBOTE_DNS_SERVER", "DNS resolver for the live checks, host:port (default: the system's, from /etc/resolv.conf)", func(c *Config) flag.Value { return (*stringValue)(&c.DNSServer) }},
		{"dnsbl-zones", "REBOTE_DNSBL_ZONES", "comma-separated DNSBL zones an IP is checked in", func(c *Config) flag.Value { return (*listValue)(&c.DNSBLZones) }},
		{"spf-include", "REBOTE_SPF_INCLUDE", "domain customers' SPF records must include (include:DOMAIN)", func(c *Config) flag.Value { return (*stringValue)(&c.SPFInclude) }},
		{"dkim-selectors", "REBOTE_DKIM_SELECTORS", "comma-separated DKIM selectors the provider signs customers' mail with", func(c *Config) flag.Value { return (*listValue)(&c.DKIMSelectors) }},
		{"provider-mx", "REBOTE_PROVIDER_MX", "comma-separated incoming mail servers of the provider, most preferred first", func(c *Config) flag.Value { return (*listValue)(&c.ProviderMX) }},
		{"outbound-ips", "REBOTE_OUTBOUND_IPS", "comma-separated IPs the provider sends mail from (their PTR is checked)", func(c *Config) flag.Value { return (*listValue)(&c.OutboundIPs) }},
		{"mail-accounts-url", "REBOTE_MAIL_ACCOUNTS_URL", "provider's page where customers manage their mailboxes and change or recover a password (offered to searches for it)", func(c *Config) flag.Value { return (*stringValue)(&c.Policy.MailAccountsURL) }},
		{"billing-url", "REBOTE_BILLING_URL", "provider's page with the customer's invoices (offered to searches for them)", func(c *Config) flag.Value { return (*stringValue)(&c.Policy.BillingURL) }},
		{"domains-url", "REBOTE_DOMAINS_URL", "provider's page to renew domains (offered to searches for it)", func(c *Config) flag.Value { return (*stringValue)(&c.Policy.DomainsURL) }},
	}
}

func defaultConfig() Config {
	return Config{
		Addr:          ":8080",
		DB:            "rebote.db",
		LogFormat:     "text",
		LogLevel:      "info",
		RetentionDays: 400,
		OriginParam:   "origen",
		RateLimit:     60,
		ProxyHeader:   "X-Forwarded-For",
		MemoryLimit:   64,
		Policy:        knowledge.DefaultPolicy(),
		DNSBLZones:    dnscheck.DefaultZones(),
		SPFInclude:    "_spf.servinetwork.com",
		DKIMSelectors: []string{"default"},
		ProviderMX:    []string{"mx1.servinetwork.com", "mx2.servinetwork.com"},
	}
}

// dnsConfig is the live DNS checks' configuration.
func (c Config) dnsConfig() (dnscheck.Config, error) {
	d := dnscheck.Config{
		Server: c.DNSServer, Zones: c.DNSBLZones, ProviderName: c.Policy.ProviderName, SPFInclude: c.SPFInclude,
		DKIMSelectors: c.DKIMSelectors, ProviderMX: c.ProviderMX,
	}
	for _, s := range c.OutboundIPs {
		ip, err := netip.ParseAddr(s)
		if err != nil {
			return d, fmt.Errorf("outbound-ips: %q is not an IP address", s)
		}
		d.OutboundIPs = append(d.OutboundIPs, ip)
	}
	return d, nil
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
	for _, u := range []struct{ name, value string }{
		{"support-url", c.Policy.SupportURL}, {"mail-accounts-url", c.Policy.MailAccountsURL},
		{"billing-url", c.Policy.BillingURL}, {"domains-url", c.Policy.DomainsURL},
	} {
		if err := checkURL(u.value); err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", u.name, err))
		}
	}
	if c.RetentionDays < 1 {
		errs = append(errs, fmt.Errorf("retention-days %d must be at least 1", c.RetentionDays))
	}
	if c.MemoryLimit < 0 {
		errs = append(errs, fmt.Errorf("memory-limit %d must not be negative", c.MemoryLimit))
	}
	if c.RateLimit < 0 {
		errs = append(errs, fmt.Errorf("rate-limit %d must not be negative", c.RateLimit))
	}
	if !validHeaderName(c.ProxyHeader) {
		errs = append(errs, fmt.Errorf("proxy-header %q must be a header name such as X-Forwarded-For or X-Real-IP", c.ProxyHeader))
	}
	if !validParamName(c.OriginParam) {
		errs = append(errs, fmt.Errorf("origin-param %q must be a short name of letters, digits, _ or -", c.OriginParam))
	}
	for _, o := range append(append([]string{}, c.CORSOrigins...), c.FrameAncestors...) {
		if err := checkOrigin(o); err != nil {
			errs = append(errs, err)
		}
	}
	if c.LogFormat != "text" && c.LogFormat != "json" {
		errs = append(errs, fmt.Errorf("log-format %q must be text or json", c.LogFormat))
	}
	if _, err := parseLevel(c.LogLevel); err != nil {
		errs = append(errs, err)
	}
	if c.DNSServer != "" {
		if _, _, err := net.SplitHostPort(c.DNSServer); err != nil {
			errs = append(errs, fmt.Errorf("dns-server %q is not host:port", c.DNSServer))
		}
	}
	if d, err := c.dnsConfig(); err != nil {
		errs = append(errs, err)
	} else if _, err := dnscheck.New(d); err != nil && strings.TrimSpace(c.Policy.ProviderName) != "" {
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

// checkOrigin accepts a web origin: scheme and host, no path.
func checkOrigin(s string) error {
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || (u.Path != "" && u.Path != "/") || u.RawQuery != "" {
		return fmt.Errorf("origin %q must be scheme://host[:port], e.g. https://soporte.example.com", s)
	}
	return nil
}

func validParamName(s string) bool {
	if s == "" || len(s) > 32 {
		return false
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_' || r == '-') {
			return false
		}
	}
	return true
}

// validHeaderName accepts an HTTP header name: letters, digits and '-',
// at most 64 characters.
func validHeaderName(s string) bool {
	if s == "" || len(s) > 64 {
		return false
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-') {
			return false
		}
	}
	return true
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

// listValue is a comma-separated list; an empty string is an empty list.
type listValue []string

func (v *listValue) String() string { return strings.Join(*v, ",") }
func (v *listValue) Set(s string) error {
	*v = nil
	for _, item := range strings.Split(s, ",") {
		if item = strings.TrimRight(strings.TrimSpace(item), "/"); item != "" {
			*v = append(*v, item)
		}
	}
	return nil
}

type boolValue bool

func (v *boolValue) String() string { return strconv.FormatBool(bool(*v)) }
func (v *boolValue) Set(s string) error {
	b, err := strconv.ParseBool(s)
	if err != nil {
		return errors.New("must be true or false")
	}
	*v = boolValue(b)
	return nil
}
func (v *boolValue) IsBoolFlag() bool { return true }

// configCmd prints the effective configuration (defaults, environment,
// flags) as "flag = value", one per line, with secrets masked, and fails
// like serve would on an invalid one.
func configCmd(args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	c, _, err := parseConfig("config", args, getenv, stderr)
	if err != nil {
		return err
	}
	for _, s := range settings() {
		value := s.value(&c).String()
		if isSecret(s.flag) && value != "" {
			value = "********"
		}
		if s.flag == "db" {
			value = store.Redact(value) // a URL's password
		}
		fmt.Fprintf(stdout, "%-24s = %s\n", s.flag, value)
	}
	return nil
}

// isSecret reports whether a setting holds a secret that must not be
// printed.
func isSecret(name string) bool {
	for _, w := range []string{"password", "secret", "token", "key"} {
		if strings.Contains(name, w) {
			return true
		}
	}
	return false
}
