#!/usr/bin/ruby
# End-to-end OAuth 1.0a (RFC 5849) three-legged flow against oauth1-fcgi,
# driven by Ruby's oauth gem (0.5.x) for the signed requests and by
# Net::HTTP with a hand-kept cookie jar for the browser part.
#
# On success one JSON line goes to stdout and the exit status is 0;
# on failure a message with the HTTP status and body of the failing
# response goes to stderr and the exit status is 1 (2 for bad usage).

require 'optparse'
require 'json'
require 'uri'
require 'cgi'
require 'time'
require 'net/http'
require 'oauth'
require 'oauth/signature/plaintext'
require 'oauth/signature/rsa/sha1'
require 'oauth/signature/hmac/sha1'

BODY_LIMIT = 4000
REDIRECTS = [301, 302, 303, 307, 308].freeze
$verbose = false

def trace(msg)
  warn("[three_legged.rb] #{msg}") if $verbose
end

class FlowError < StandardError
  attr_reader :step, :response, :request_line

  def initialize(step, message, response = nil, request_line = nil)
    super(message)
    @step = step
    @response = response
    @request_line = request_line
  end

  def render
    lines = ["three_legged.rb: FAILED at step '#{step}': #{message}"]
    lines << "  request: #{request_line}" if request_line
    lines << FlowError.describe(response) if response
    lines.join("\n")
  end

  def self.describe(resp)
    body = resp.body.to_s
    body = body[0, BODY_LIMIT] + '...[truncated]' if body.length > BODY_LIMIT
    out = ["  HTTP status: #{resp.code} #{resp.message}"]
    %w[Location Content-Type WWW-Authenticate Set-Cookie].each do |h|
      out << "  #{h}: #{resp[h]}" if resp[h]
    end
    out << "  body: #{body}"
    out.join("\n")
  end
end

# ---------------------------------------------------------------------------
# Minimal HTML helpers (forms, element text by id); regex based, no gems.
# ---------------------------------------------------------------------------
module Html
  ATTRS = %q{(?:[^>"']|"[^"]*"|'[^']*')*}
  ATTR_RE = /([^\s=\/>"']+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>"'`=<]+)))?/
  CONTROL_RE = /<(input|button)\b(#{ATTRS})>|<textarea\b(#{ATTRS})>(.*?)<\/textarea\s*>/mi

  def self.attrs(str)
    out = {}
    str.to_s.scan(ATTR_RE) do |name, dq, sq, bare|
      key = name.downcase
      next if key == '/' || out.key?(key) # first occurrence wins
      raw = dq || sq || bare
      out[key] = raw.nil? ? '' : CGI.unescapeHTML(raw)
    end
    out
  end

  def self.strip_comments(html)
    html.to_s.gsub(/<!--.*?-->/m, '')
  end

  def self.forms(html)
    strip_comments(html).scan(/<form\b(#{ATTRS})>(.*?)<\/form\s*>/mi).map do |fattrs, inner|
      a = attrs(fattrs)
      form = { 'method' => (a['method'] || 'get').downcase, 'action' => a['action'],
               'fields' => [], 'submits' => [] }
      inner.scan(CONTROL_RE) do |tag, tattrs, taattrs, tatext|
        if tag.nil? # textarea
          ta = attrs(taattrs)
          form['fields'] << { 'name' => ta['name'], 'value' => CGI.unescapeHTML(tatext),
                              'type' => 'textarea', 'checked' => false, 'disabled' => ta.key?('disabled') }
          next
        end
        t = attrs(tattrs)
        type = (t['type'] || (tag.downcase == 'button' ? 'submit' : 'text')).downcase
        if tag.downcase == 'button'
          form['submits'] << { 'name' => t['name'], 'value' => t['value'] || '' } if type == 'submit'
        elsif %w[submit image].include?(type)
          form['submits'] << { 'name' => t['name'], 'value' => t['value'] || '' }
        elsif !%w[button reset file].include?(type)
          default = %w[checkbox radio].include?(type) ? 'on' : ''
          form['fields'] << { 'name' => t['name'], 'value' => t['value'] || default, 'type' => type,
                              'checked' => t.key?('checked'), 'disabled' => t.key?('disabled') }
        end
      end
      form
    end
  end

  # Text content of the first element whose id is +id+ (tags stripped).
  def self.text_by_id(html, id)
    doc = strip_comments(html)
    doc.scan(/<([a-zA-Z][a-zA-Z0-9]*)\b(#{ATTRS})>/m) do |tag, tattrs|
      next unless attrs(tattrs)['id'] == id
      start = Regexp.last_match.end(0)
      close = doc.index(%r{</#{tag}\s*>}i, start)
      return nil if close.nil?
      return CGI.unescapeHTML(doc[start...close].gsub(/<[^>]*>/, ''))
    end
    nil
  end

  def self.field_names(form)
    form['fields'].map { |f| f['name'] }.compact
  end

  def self.find_form(forms, required, submit_value = nil)
    forms.find do |f|
      (required - field_names(f)).empty? &&
        (submit_value.nil? || f['submits'].any? { |s| s['value'] == submit_value })
    end
  end

  def self.field_value(form, name)
    f = form['fields'].find { |x| x['name'] == name }
    f && f['value']
  end

  # The (name, value) pairs a browser would submit.
  def self.payload(form, overrides = {}, submit = nil)
    over = overrides.dup
    pairs = []
    form['fields'].each do |f|
      next if f['name'].nil? || f['name'].empty? || f['disabled']
      next if %w[checkbox radio].include?(f['type']) && !f['checked']
      pairs << [f['name'], over.key?(f['name']) ? over.delete(f['name']) : f['value']]
    end
    over.each { |k, v| pairs << [k, v] }
    pairs << [submit['name'], submit['value']] if submit && submit['name'] && !submit['name'].empty?
    pairs
  end

  def self.target(form, page_url)
    action = form['action'].to_s.strip
    action.empty? ? page_url : URI.join(page_url, action).to_s
  end
end

# ---------------------------------------------------------------------------
# A tiny browser: Net::HTTP plus a cookie jar (name/path keyed).
# ---------------------------------------------------------------------------
class Browser
  def initialize(timeout)
    @timeout = timeout
    @jar = {} # [name, path] => {value, secure}
  end

  def self.origin(url)
    u = URI(url)
    [u.scheme.to_s.downcase, u.host.to_s.downcase, u.port]
  end

  def cookie_header(uri)
    path = uri.path.to_s.empty? ? '/' : uri.path
    @jar.select do |(_, cpath), c|
      next false if c[:secure] && uri.scheme != 'https'
      path == cpath || path.start_with?(cpath.end_with?('/') ? cpath : cpath + '/')
    end.map { |(name, _), c| "#{name}=#{c[:value]}" }.join('; ')
  end

  def store_cookies(uri, resp)
    (resp.get_fields('set-cookie') || []).each do |line|
      parts = line.split(';').map(&:strip)
      name, value = parts.shift.to_s.split('=', 2)
      next if name.nil? || name.empty?
      attrs = parts.map { |p| k, v = p.split('=', 2); [k.downcase, v] }.to_h
      path = attrs['path']
      if path.nil? || !path.start_with?('/')
        dir = uri.path.to_s
        path = dir.include?('/') && dir.rindex('/') > 0 ? dir[0, dir.rindex('/')] : '/'
      end
      expired = false
      expired = true if attrs['max-age'] && attrs['max-age'].to_i <= 0
      if attrs['expires'] && !attrs.key?('max-age')
        t = (Time.httpdate(attrs['expires']) rescue (Time.parse(attrs['expires']) rescue nil))
        expired = true if t && t < Time.now
      end
      if expired
        @jar.delete([name, path])
      else
        @jar[[name, path]] = { value: value.to_s, secure: attrs.key?('secure') }
      end
    end
  end

  # One request, no redirect following.
  def request(step, method, url, form = nil)
    uri = URI(url)
    req = method == 'POST' ? Net::HTTP::Post.new(uri.request_uri) : Net::HTTP::Get.new(uri.request_uri)
    req['User-Agent'] = 'oauth1-fcgi-e2e-browser (ruby net/http)'
    cookies = cookie_header(uri)
    req['Cookie'] = cookies unless cookies.empty?
    req.set_form_data(form) if form
    trace("#{method} #{url}#{form ? " form=#{form.inspect}" : ''}")
    begin
      resp = Net::HTTP.start(uri.host, uri.port, use_ssl: uri.scheme == 'https',
                             open_timeout: @timeout, read_timeout: @timeout) { |h| h.request(req) }
    rescue StandardError => e
      raise FlowError.new(step, "HTTP request #{method} #{url} failed: #{e.class}: #{e.message}")
    end
    store_cookies(uri, resp)
    trace("  -> #{resp.code} #{resp['Location']}")
    resp
  end

  # Follow redirects on the provider's origin; stop at a redirect to the
  # client's callback. Returns [response, final_url, callback_target_or_nil].
  def browse(step, method, url, base, callback, form = nil, max_hops = 10)
    max_hops.times do
      resp = request(step, method, url, form)
      return [resp, url, nil] unless REDIRECTS.include?(resp.code.to_i)
      loc = resp['Location']
      raise FlowError.new(step, 'redirect without a Location header', resp, "#{method} #{url}") if loc.nil?
      target = URI.join(url, loc).to_s
      return [resp, url, target] if Browser.callback?(target, callback)
      unless Browser.origin(target) == Browser.origin(base)
        raise FlowError.new(step, "unexpected redirect off the provider to #{target}", resp, "#{method} #{url}")
      end
      unless [307, 308].include?(resp.code.to_i)
        method = 'GET'
        form = nil
      end
      url = target
    end
    raise FlowError.new(step, "too many redirects (last URL #{url})")
  end

  def self.callback?(target, callback)
    return false if callback == 'oob'
    t = URI(target)
    c = URI(callback)
    origin(target) == origin(callback) && (t.path.to_s.empty? ? '/' : t.path) == (c.path.to_s.empty? ? '/' : c.path)
  end
end

# ---------------------------------------------------------------------------
# The flow
# ---------------------------------------------------------------------------
def oauth_failure(step, err, what, request_line = nil)
  resp = err.respond_to?(:request) ? err.request : nil
  resp = err.response if resp.nil? && err.respond_to?(:response)
  if resp.is_a?(Net::HTTPResponse)
    extra = err.is_a?(OAuth::Problem) ? " (oauth_problem=#{err.problem})" : ''
    FlowError.new(step, "#{what}#{extra}", resp, request_line)
  else
    FlowError.new(step, "#{what}: #{err.class}: #{err.message}", nil, request_line)
  end
end

def run(o)
  base = o[:base].chomp('/')
  buri = URI(base)
  site = "#{buri.scheme}://#{buri.host}:#{buri.port}"
  bpath = buri.path.chomp('/')

  copts = {
    site: site,
    request_token_path: bpath + '/initiate',
    authorize_path: bpath + '/authorize',
    access_token_path: bpath + '/token',
    signature_method: o[:signature_method],
    scheme: :header,
    http_method: :post,
    timeout: o[:timeout]
  }
  if o[:signature_method] == 'RSA-SHA1'
    raise FlowError.new('setup', '--rsa-private-key is required for RSA-SHA1') unless o[:rsa_private_key]
    raise FlowError.new('setup', "cannot read #{o[:rsa_private_key]}") unless File.readable?(o[:rsa_private_key])
    copts[:private_key_file] = o[:rsa_private_key]
  end
  copts[:debug_output] = $stderr if o[:debug_http]
  consumer = OAuth::Consumer.new(o[:client_key], o[:client_secret], copts)

  # -- 1. temporary credentials ----------------------------------------------
  extra = o[:scope] ? [{ 'scope' => o[:scope] }] : []
  begin
    rt = consumer.get_request_token({ oauth_callback: o[:callback] }, *extra)
  rescue OAuth::Unauthorized => e
    raise oauth_failure('initiate', e, 'temporary credential request refused', "POST #{base}/initiate")
  rescue StandardError => e
    raise oauth_failure('initiate', e, 'temporary credential request failed', "POST #{base}/initiate")
  end
  if rt.token.to_s.empty? || rt.secret.to_s.empty?
    raise FlowError.new('initiate', "response lacks oauth_token/oauth_token_secret: #{rt.params.inspect}")
  end
  unless rt.callback_confirmed?
    raise FlowError.new('initiate', "response lacks oauth_callback_confirmed=true: #{rt.params.inspect}")
  end
  temp_token = rt.token
  trace("temporary token #{temp_token}")

  # -- 2. browser: authorize, login, consent ----------------------------------
  browser = Browser.new(o[:timeout])
  authorize_url = rt.authorize_url
  resp = browser.request('authorize', 'GET', authorize_url)
  if !REDIRECTS.include?(resp.code.to_i) || resp['Location'].nil?
    raise FlowError.new('authorize', 'expected a redirect to the login page (no session yet)', resp,
                        "GET #{authorize_url}")
  end
  login_url = URI.join(authorize_url, resp['Location']).to_s
  lu = URI(login_url)
  if Browser.origin(login_url) != Browser.origin(base) || lu.path != bpath + '/login'
    raise FlowError.new('authorize', "redirect does not point to BASE/login: #{login_url}", resp)
  end
  nxt = URI.decode_www_form(lu.query.to_s).assoc('next')
  au = URI(authorize_url)
  expected_next = "#{au.path}?#{au.query}"
  if nxt.nil? || nxt[1] != expected_next
    raise FlowError.new('authorize', "login redirect next=#{nxt && nxt[1].inspect}, expected #{expected_next.inspect}",
                        resp)
  end

  resp, page_url, = browser.browse('login page', 'GET', login_url, base, o[:callback])
  raise FlowError.new('login page', 'expected 200 with the login form', resp, "GET #{page_url}") if resp.code != '200'
  form = Html.find_form(Html.forms(resp.body), %w[username password])
  raise FlowError.new('login page', 'no form with username and password inputs', resp) if form.nil?
  %w[csrf_token next].each do |hidden|
    raise FlowError.new('login page', "login form lacks the #{hidden} input", resp) unless Html.field_names(form).include?(hidden)
  end
  raise FlowError.new('login page', "login form method is #{form['method']}, expected post", resp) if form['method'] != 'post'
  pairs = Html.payload(form, { 'username' => o[:username], 'password' => o[:password] }, form['submits'].first)
  target = Html.target(form, page_url)
  resp = browser.request('login', 'POST', target, pairs)
  unless REDIRECTS.include?(resp.code.to_i)
    raise FlowError.new('login', 'login was not accepted (expected 303 to next)', resp, "POST #{target}")
  end
  consent_url = URI.join(target, resp['Location'].to_s).to_s
  if Browser.origin(consent_url) != Browser.origin(base)
    raise FlowError.new('login', "login redirected off the provider: #{consent_url}", resp)
  end

  resp, page_url, = browser.browse('consent page', 'GET', consent_url, base, o[:callback])
  raise FlowError.new('consent page', 'expected 200 with the consent form', resp, "GET #{page_url}") if resp.code != '200'
  decision = o[:expect_deny] ? 'deny' : 'approve'
  form = Html.find_form(Html.forms(resp.body), %w[oauth_token csrf_token], decision)
  if form.nil?
    raise FlowError.new('consent page', "no form with oauth_token, csrf_token and a #{decision} button", resp)
  end
  raise FlowError.new('consent page', "consent form method is #{form['method']}, expected post", resp) if form['method'] != 'post'
  if Html.field_value(form, 'oauth_token') != temp_token
    raise FlowError.new('consent page',
                        "consent form carries oauth_token=#{Html.field_value(form, 'oauth_token').inspect}, expected #{temp_token.inspect}", resp)
  end
  button = form['submits'].find { |s| s['value'] == decision }
  target = Html.target(form, page_url)
  resp, page_url, cb_target = browser.browse('consent', 'POST', target, base, o[:callback], Html.payload(form, {}, button))

  verifier = nil
  if o[:callback] != 'oob'
    if cb_target.nil?
      raise FlowError.new('consent', "expected a redirect to the callback #{o[:callback]}", resp, "POST #{page_url}")
    end
    q = URI.decode_www_form(URI(cb_target).query.to_s)
    vals = ->(k) { q.select { |kk, _| kk == k }.map(&:last) }
    if o[:expect_deny]
      raise FlowError.new('consent', "deny redirect lacks denied=#{temp_token}: #{cb_target}", resp) if vals.call('denied') != [temp_token]
      raise FlowError.new('consent', "deny redirect carries an oauth_verifier: #{cb_target}", resp) unless vals.call('oauth_verifier').empty?
    else
      if vals.call('oauth_token') != [temp_token]
        raise FlowError.new('consent', "callback redirect has oauth_token=#{vals.call('oauth_token').inspect}, expected #{temp_token.inspect}", resp)
      end
      verifier = vals.call('oauth_verifier').first
      raise FlowError.new('consent', "callback redirect lacks oauth_verifier: #{cb_target}", resp) if verifier.to_s.empty?
    end
  else
    if REDIRECTS.include?(resp.code.to_i) || resp.code.to_i >= 500
      raise FlowError.new('consent', 'expected an HTML page for the oob callback', resp, "POST #{page_url}")
    end
    shown = Html.text_by_id(resp.body, 'verifier').to_s.strip
    if o[:expect_deny]
      raise FlowError.new('consent', 'deny page shows a verifier', resp) unless shown.empty?
    else
      raise FlowError.new('consent', 'oob page lacks <code id="verifier">', resp) if resp.code != '200' || shown.empty?
      verifier = shown
    end
  end
  trace("verifier #{verifier.inspect}")

  # -- 3. token credentials ---------------------------------------------------
  if o[:expect_deny]
    begin
      rt.get_access_token(oauth_verifier: 'no-verifier-was-issued')
    rescue OAuth::Unauthorized => e
      if e.request.code != '401'
        raise FlowError.new('token', "token request for a denied token failed with #{e.request.code}, expected 401",
                            e.request, "POST #{base}/token")
      end
      puts JSON.generate({ 'denied' => true, 'temporary_token' => temp_token, 'token_status' => 401 })
      return 0
    rescue StandardError => e
      raise oauth_failure('token', e, 'token request for a denied token failed unexpectedly', "POST #{base}/token")
    end
    raise FlowError.new('token', 'token request for a denied temporary credential succeeded')
  end

  begin
    at = rt.get_access_token(oauth_verifier: verifier)
  rescue OAuth::Unauthorized => e
    raise oauth_failure('token', e, 'token credential request refused', "POST #{base}/token")
  rescue StandardError => e
    raise oauth_failure('token', e, 'token credential request failed', "POST #{base}/token")
  end
  if at.token.to_s.empty? || at.secret.to_s.empty?
    raise FlowError.new('token', "response lacks oauth_token/oauth_token_secret: #{at.params.inspect}")
  end
  raise FlowError.new('token', 'token credential equals the temporary credential') if at.token == temp_token

  # -- 4. protected resource --------------------------------------------------
  begin
    resp = at.get(bpath + '/user')
  rescue OAuth::Unauthorized => e
    raise oauth_failure('user', e, 'protected resource refused', "GET #{base}/user")
  rescue StandardError => e
    raise oauth_failure('user', e, 'protected resource request failed', "GET #{base}/user")
  end
  raise FlowError.new('user', 'protected resource refused', resp, "GET #{base}/user") if resp.code != '200'
  user = begin
    JSON.parse(resp.body)
  rescue JSON::ParserError
    raise FlowError.new('user', 'response is not JSON', resp)
  end
  unless user.is_a?(Hash) && user.key?('id') && user.key?('username')
    raise FlowError.new('user', 'JSON lacks id/username', resp)
  end
  if user['username'] != o[:username]
    raise FlowError.new('user', "username #{user['username'].inspect} differs from the one who logged in (#{o[:username].inspect})", resp)
  end

  puts JSON.generate({ 'user' => user, 'token' => at.token, 'token_secret' => at.secret,
                       'temporary_token' => temp_token })
  0
end

# ---------------------------------------------------------------------------
# Offline self test of the HTML and cookie helpers
# ---------------------------------------------------------------------------
def check(cond, what)
  raise "self-test failed: #{what}" unless cond
end

def self_test
  login = <<~HTML
    <!doctype html><html><body><!-- <form action="/decoy"><input name="username"><input name="password"></form> -->
    <form method="POST" action='login?x=1'>
      <input type=hidden name="csrf_token" value="c&amp;1">
      <input type="hidden" name="next" value="/oauth/authorize?oauth_token=abc">
      <label>User <input name="username"></label>
      <input type="password" name="password" value="" />
      <button>Sign in</button>
    </form></body></html>
  HTML
  f = Html.find_form(Html.forms(login), %w[username password])
  check(f && f['method'] == 'post', 'login form found')
  check(Html.field_value(f, 'csrf_token') == 'c&1', 'entity decoded')
  check(Html.target(f, 'http://h:1/oauth/login?next=x') == 'http://h:1/oauth/login?x=1', 'relative action')
  pay = Html.payload(f, { 'username' => 'alice', 'password' => 'pw' }, f['submits'].first)
  check(pay == [%w[csrf_token c&1], %w[next /oauth/authorize?oauth_token=abc], %w[username alice], %w[password pw]],
        "login payload #{pay.inspect}")

  consent = <<~HTML
    <html><body><form method="post" action="/oauth/authorize">
      <input type="hidden" name="oauth_token" value="T1"/>
      <input type="hidden" name="csrf_token" value="K"/>
      <input type="checkbox" name="scope" value="read" checked>
      <input type="checkbox" name="scope" value="write">
      <button type="submit" name="decision" value="approve">Allow</button>
      <button type="submit" name="decision" value="deny">Deny</button>
    </form></body></html>
  HTML
  forms = Html.forms(consent)
  f = Html.find_form(forms, %w[oauth_token csrf_token], 'approve')
  check(f && Html.find_form(forms, %w[oauth_token], 'maybe').nil?, 'consent form found')
  b = f['submits'].find { |s| s['value'] == 'deny' }
  check(Html.payload(f, {}, b) == [%w[oauth_token T1], %w[csrf_token K], %w[scope read], %w[decision deny]], 'consent payload')
  check(Html.target(f, 'http://h:1/oauth/authorize?oauth_token=T1') == 'http://h:1/oauth/authorize', 'absolute-path action')
  f = Html.forms('<form method="post"><input name="a" value="1"></form>').first
  check(Html.target(f, 'http://h/p?q=1') == 'http://h/p?q=1', 'empty action')

  check(Html.text_by_id('<p>Code: <code id="verifier">V-123&lt;x&gt;</code></p>', 'verifier') == 'V-123<x>', 'verifier text')
  check(Html.text_by_id('<code class="x" id=\'verifier\'> <b>v9</b> </code>', 'verifier').strip == 'v9', 'verifier nested')
  check(Html.text_by_id('<p>nothing</p>', 'verifier').nil?, 'no verifier')

  check(Browser.callback?('http://client.invalid/cb?oauth_token=a', 'http://client.invalid/cb'), 'callback match')
  check(!Browser.callback?('http://client.invalid/other', 'http://client.invalid/cb'), 'callback path mismatch')
  check(!Browser.callback?('http://127.0.0.1:1/oauth/authorize', 'oob'), 'oob never matches')

  br = Browser.new(1)
  fake = Net::HTTPOK.new('1.1', '200', 'OK')
  fake.add_field('Set-Cookie', 'sid=abc; Path=/oauth; HttpOnly; SameSite=Lax')
  fake.add_field('Set-Cookie', 'other=1; Path=/elsewhere')
  fake.add_field('Set-Cookie', 'sec=1; Path=/; Secure')
  br.store_cookies(URI('http://127.0.0.1:1/oauth/login'), fake)
  check(br.cookie_header(URI('http://127.0.0.1:1/oauth/authorize?x=1')) == 'sid=abc', 'cookie path match')
  check(br.cookie_header(URI('http://127.0.0.1:1/oauthx')) == '', 'cookie path boundary')
  gone = Net::HTTPOK.new('1.1', '200', 'OK')
  gone.add_field('Set-Cookie', 'sid=; Path=/oauth; Max-Age=0')
  br.store_cookies(URI('http://127.0.0.1:1/oauth/logout'), gone)
  check(br.cookie_header(URI('http://127.0.0.1:1/oauth/authorize')) == '', 'cookie deletion')
  puts 'self-test passed'
  0
end

# ---------------------------------------------------------------------------
opts = { client_secret: '', signature_method: 'HMAC-SHA1', callback: 'oob', timeout: 15 }
parser = OptionParser.new do |p|
  p.banner = "Usage: #{File.basename($PROGRAM_NAME)} --base URL --client-key KEY --username U --password P [options]\n" \
             'Runs the OAuth 1.0a three-legged flow with the Ruby oauth gem against an oauth1-fcgi provider.'
  p.on('--base URL', 'provider base URL, e.g. http://127.0.0.1:18080/oauth') { |v| opts[:base] = v }
  p.on('--client-key KEY', 'client identifier (oauth_consumer_key)') { |v| opts[:client_key] = v }
  p.on('--client-secret SECRET', 'client shared secret (default: empty)') { |v| opts[:client_secret] = v }
  p.on('--signature-method METHOD', %w[HMAC-SHA1 PLAINTEXT RSA-SHA1],
       'HMAC-SHA1 (default), PLAINTEXT or RSA-SHA1') { |v| opts[:signature_method] = v }
  p.on('--rsa-private-key FILE', 'PEM private key for RSA-SHA1') { |v| opts[:rsa_private_key] = v }
  p.on('--callback URL', 'callback URL or "oob" (default)') { |v| opts[:callback] = v }
  p.on('--username NAME', "resource owner's login name") { |v| opts[:username] = v }
  p.on('--password PASSWORD', "resource owner's password") { |v| opts[:password] = v }
  p.on('--scope SCOPE', "extra 'scope' form field sent with the initiate request") { |v| opts[:scope] = v }
  p.on('--expect-deny', 'press deny; succeed only if the denial is reported and the token exchange then fails with 401') do
    opts[:expect_deny] = true
  end
  p.on('--timeout SECONDS', Float, 'per-request timeout (default 15)') { |v| opts[:timeout] = v }
  p.on('-v', '--verbose', 'trace the browser steps on stderr') { $verbose = true }
  p.on('--debug-http', "dump the oauth gem's HTTP traffic on stderr") { opts[:debug_http] = true }
  p.on('--self-test', 'check the HTML and cookie helpers offline and exit') { opts[:self_test] = true }
end

begin
  parser.parse!(ARGV)
  unless opts[:self_test]
    missing = %i[base client_key username password].reject { |k| opts[k] }
    raise OptionParser::MissingArgument, missing.map { |k| '--' + k.to_s.tr('_', '-') }.join(', ') unless missing.empty?
  end
rescue OptionParser::ParseError => e
  warn "three_legged.rb: #{e.message}"
  warn parser.help
  exit 2
end

begin
  exit(opts[:self_test] ? self_test : run(opts))
rescue FlowError => e
  warn e.render
  exit 1
rescue StandardError, ScriptError => e
  warn "three_legged.rb: FAILED with unexpected #{e.class}: #{e.message}"
  warn e.backtrace.first(5).join("\n") if $verbose
  exit 1
end
