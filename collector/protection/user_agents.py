"""What kind of client a user-agent string names: a browser, or something that is not a person.

ua-parser recognises browsers and most crawlers (device family ``Spider``); it costs about a
millisecond per new string, so classifications are cached (browsers send a few thousand
distinct strings at most). Our own patterns catch what it calls ordinary clients: HTTP
libraries, headless browsers, mail link scanners and link previewers.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

import ua_parser

# Kinds, in the order they are tested. "browser" and "unknown" are the only people-like ones.
MISSING = "missing"
HEADLESS = "headless_browser"
HTTP_LIBRARY = "http_library"
LINK_SCANNER = "link_scanner"
CRAWLER = "crawler"
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
    return AgentClass(BROWSER if parsed.user_agent else UNKNOWN, family)


def _family(ua: str) -> str:
    return ua.split("/", 1)[0].split(" ", 1)[0][:40]
