"""The embed code README.md shows, filled in for one collector and key (the demo page shows it).

The first line is widget/src/snippet.js minified (``make widget`` prints it); a test keeps this,
README.md and the build in step.
"""

from __future__ import annotations

LOADER = ('<script>!function(w,d,u,k){if(w.tenpoint)return;var t=w.tenpoint=function()'
          '{t.q.push(arguments);};t.q=[];t("init",{siteKey:k});var s=d.createElement("script");'
          's.async=true;s.crossOrigin="anonymous";s.src=u+"/widget.js";d.head.appendChild(s);}'
          '(window,document,"{collector}","{key}");</script>')
CALLS = "<script>tenpoint('init', {user: {id: 'u-42'}}); tenpoint('show', '{survey}');</script>"


def embed_code(collector: str, key: str, survey: str = "product-nps") -> str:
    """The two lines a site pastes: the loader, then its own calls."""
    return (LOADER.replace("{collector}", collector).replace("{key}", key) + "\n"
            + CALLS.replace("{survey}", survey))
