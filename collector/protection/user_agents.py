"""What kind of client a user-agent string names: a browser, or something that is not a person.

ua-parser recognises browsers and most crawlers (device family ``Spider``); crawlerdetect
(a maintained library of about 1,500 crawler patterns, a port of the PHP CrawlerDetect) catches
many it does not. Both cost up to a millisecond per new string, so classifications are cached
(browsers send a few thousand distinct strings at most). Our own patterns catch what both
call ordinary clients: HTTP libraries, headless browsers, mail link scanners, link
previewers, synthetic monitors, SEO and brand monitors and AI agents that append their name
to a full browser string; and a ``compatible;`` string that names no browser engine.
Electron apps and in-app browsers (Instagram, Facebook, LINE, WeChat, Android WebView) are
people, whatever a pattern library says about their app's name.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

import ua_parser
from crawlerdetect import CrawlerDetect

# Kinds, in the order they are tested. "browser" and "unknown" are the only people-like ones.
MISSING = "missing"
HEADLESS = "headless_browser"
HTTP_LIBRARY = "http_library"
LINK_SCANNER = "link_scanner"
CRAWLER = "crawler"
MONITOR = "monitor"
AI_AGENT = "ai_agent"
BROWSER = "browser"
UNKNOWN = "unknown"

_HEADLESS = re.compile(r"HeadlessChrome|PhantomJS|SlimerJS|Chrome-Lighthouse|"
                       r"Google Page Speed|Puppeteer|Playwright|Selenium|webdriver|"
                       r"HtmlUnit|jsdom|Cypress", re.IGNORECASE)
# Matched at the start of the string, where these clients put their name.
_HTTP_LIBRARY = re.compile(
    r"^(curl|Wget|python-requests|python-urllib|Python-urllib|python-httpx|aiohttp|"
    r"httpx|Go-http-client|Java/|Apache-HttpClient|okhttp|libwww-perl|LWP::|"
    r"PostmanRuntime|insomnia|axios|node-fetch|undici|got |Scrapy|Ruby|Faraday|"
    r"GuzzleHttp|PHP|HTTPie|Dart/|RestSharp|Wget|fasthttp|reqwest|hyper|Deno/|Bun/|"
    r"Mechanize|WinHttp|Microsoft-CryptoAPI|Embarcadero|Typhoeus|http\.rb|Zend_Http|"
    r"Java-http-client|HttpClient|Jakarta|lua-resty-http|Nim httpclient)",
    re.IGNORECASE)
_LINK_SCANNER = re.compile(
    r"Barracuda|Mimecast|Proofpoint|ProofPoint|Symantec|Trend ?Micro|Forcepoint|Sophos|"
    r"IronPort|Cisco|ZScaler|Zscaler|SafeLinks|Microsoft Office Existence|"
    r"ms-office|MSOffice|Outlook-iOS-Android/|BingPreview|SkypeUriPreview|"
    r"Slackbot|Slack-ImgProxy|Twitterbot|facebookexternalhit|WhatsApp/|TelegramBot|"
    r"Discordbot|LinkedInBot|Iframely|Embedly|redditbot|Pinterestbot|vkShare|"
    r"W3C-checklink|W3C_Validator|LinkChecker|Link Valid|linkcheck|LinkWalker|"
    r"Siteimprove|check_http|Pingdom|UptimeRobot|StatusCake|Site24x7|"
    r"GoogleImageProxy|YahooMailProxy|Google-Safety|Google-InspectionTool|"
    r"Validator\.nu|Screaming Frog|AhrefsBot|SemrushBot|MJ12bot|DotBot|PetalBot|"
    r"nuclei|Nmap|sqlmap|Nikto|masscan|zgrab|WPScan|Acunetix|Nessus|OpenVAS|"
    r"Qualys|Burp|dirbuster|gobuster|ffuf|Wfuzz",
    re.IGNORECASE)
_CRAWLER_WORDS = re.compile(r"(bot|crawler|spider|crawl|slurp|archiver|scraper|"
                            r"fetcher|monitor)\b|\+https?://", re.IGNORECASE)
# Full browser strings with a tool's name added: synthetic monitoring (a scripted browser
# checking a site every minute), SEO and brand monitors.
_MONITOR = re.compile(
    r"\b(?:DatadogSynthetics|Checkly|ThousandEyes|NewRelicSynthetics|RuxitSynthetic|Dynatrace|"
    r"Catchpoint|GrafanaSyntheticMonitoring|k6/\d|SpeedCurve|Sematext|Elastic/Synthetics|"
    r"AppDynamics|Uptrends|Ghost Inspector|Rigor|Splunk Synthetics|Better Stack|"
    r"Better Uptime|Oh Dear|Freshping|HetrixTools|Uptime-Kuma|Hyperping|"
    r"Lumar|DeepCrawl|Sitebulb|ContentKing|OnCrawl|Botify|Ryte|SEOkicks|Conductor|"
    r"BrandVerity|Brandwatch|Brand ?Monitor|RankSonic|SiteAuditor|Siteliner|Seobility|"
    r"Netcraft|Wappalyzer|BuiltWith|SimilarTech|Dataprovider)",
    re.IGNORECASE)
# AI assistants fetching a page for their user, sometimes inside a full browser string.
_AI_AGENT = re.compile(
    r"\b(?:ChatGPT-User|ChatGPT Agent|OAI-SearchBot|Perplexity-User|PerplexityBot|Claude-User|"
    r"Claude-Web|ClaudeBot|anthropic-ai|MistralAI-User|Google-Agent|Gemini-Deep-Research|"
    r"DuckAssistBot|PhindBot|YouBot|cohere-ai|Meta-ExternalAgent|Meta-ExternalFetcher|"
    r"Amzn-User|Novellum|Devin/|browser-use|Manus-User)",
    re.IGNORECASE)
# The engines every browser of the last twenty years names; Internet Explorer says MSIE.
_ENGINE = re.compile(r"AppleWebKit/|Gecko/|like Gecko|KHTML|Trident/|Presto/|MSIE |Edge/")
# Real people inside an app: Electron desktop apps, in-app browsers, Android WebViews.
_PEOPLE_APPS = re.compile(
    r"Electron/|Instagram |FBAN/|FBAV/|FB_IAB/|Line/|MicroMessenger/|; wv\)|"
    r"LinkedInApp|musical_ly|Snapchat/|\[Pinterest/|GSA/|Twitter for|TwitterAndroid",
    re.IGNORECASE)
_PATTERN_LIBRARY = CrawlerDetect()
# Phones and browsers whose names happen to end in "bot" are people.
_BOT_FALSE_FRIENDS = re.compile(r"CUBOT|Cubot", re.IGNORECASE)


@dataclass(frozen=True)
class AgentClass:
    kind: str
    family: str

    @property
    def human(self) -> bool:
        return self.kind in (BROWSER, UNKNOWN)


@lru_cache(maxsize=8192)
def classify(user_agent: str | None) -> AgentClass:
    """Classify a user agent; cached, so a repeat costs a dictionary lookup."""
    ua = (user_agent or "").strip()
    if not ua:
        return AgentClass(MISSING, "")
    if _HEADLESS.search(ua):
        return AgentClass(HEADLESS, _family(ua))
    if _HTTP_LIBRARY.search(ua):
        return AgentClass(HTTP_LIBRARY, _family(ua))
    if _LINK_SCANNER.search(ua):
        return AgentClass(LINK_SCANNER, _family(ua))
    if _AI_AGENT.search(ua):
        return AgentClass(AI_AGENT, _family(ua))
    if _MONITOR.search(ua):
        return AgentClass(MONITOR, _family(ua))
    parsed = ua_parser.parse(ua)
    family = parsed.user_agent.family if parsed.user_agent else "Other"
    if parsed.device is not None and parsed.device.family == "Spider":
        return AgentClass(CRAWLER, family)
    if _CRAWLER_WORDS.search(_BOT_FALSE_FRIENDS.sub("", ua)):
        return AgentClass(CRAWLER, family)
    if not ua.startswith("Mozilla/") and not ua.startswith("Opera/"):
        # Every browser of the last twenty years starts with Mozilla/ (or Opera/); anything
        # else that names no known library is a script with a custom name.
        return AgentClass(HTTP_LIBRARY, family)
    if "compatible;" in ua and not _ENGINE.search(ua):
        # "Mozilla/5.0 (compatible; Name/1.0)": the old crawler convention, no browser named.
        return AgentClass(CRAWLER, family)
    if not _PEOPLE_APPS.search(ua) and _PATTERN_LIBRARY.is_crawler(ua):
        return AgentClass(CRAWLER, family)
    return AgentClass(BROWSER if parsed.user_agent else UNKNOWN, family)


def _family(ua: str) -> str:
    return ua.split("/", 1)[0].split(" ", 1)[0][:40]
