/* A contact from the text of a scanned QR code, for "People I met" (met_capture.js): a vCard
   (2.1, 3.0 or 4.0; the first card), a MECARD, or the address of a LinkedIn profile.
   window.RapportContactCard.parse(text) gives the form's fields that the code holds (name,
   organization_name, title, email, phone, linkedin_url, notes) or null when it holds no
   contact. Pure functions: tests call parse() in the page (tests/e2e/test_pwa_capture.py). */
(function () {
  "use strict";

  function clean(text) {
    return (text || "").replace(/\s+/g, " ").trim();
  }

  // --- LinkedIn --------------------------------------------------------------------------

  // A profile's address as the contact form takes it: https://www.linkedin.com/in/<name>,
  // without the tracking query a shared link carries. Other LinkedIn pages are kept as they
  // are (without the query); anything else is not LinkedIn (null).
  function linkedinUrl(text) {
    var raw = clean(text);
    if (!/^(https?:\/\/)?([a-z0-9-]+\.)*linkedin\.com(\/|$)/i.test(raw)) return null;
    var url;
    try {
      url = new URL(/^https?:\/\//i.test(raw) ? raw : "https://" + raw);
    } catch (notAUrl) {
      return null;
    }
    var profile = url.pathname.match(/^\/in\/([^/]+)/);
    if (profile) return "https://www.linkedin.com/in/" + profile[1];
    return "https://" + url.hostname.toLowerCase() + url.pathname.replace(/\/+$/, "");
  }

  // --- vCard -----------------------------------------------------------------------------

  // Split on a separator not escaped with a backslash.
  function splitUnescaped(value, separator) {
    var parts = [];
    var current = "";
    for (var i = 0; i < value.length; i++) {
      var c = value.charAt(i);
      if (c === "\\" && i + 1 < value.length) {
        current += c + value.charAt(i + 1);
        i++;
      } else if (c === separator) {
        parts.push(current);
        current = "";
      } else {
        current += c;
      }
    }
    parts.push(current);
    return parts;
  }

  function unescapeValue(value) {
    return value.replace(/\\([\\,;:nN])/g, function (match, c) {
      return c === "n" || c === "N" ? "\n" : c;
    });
  }

  function quotedPrintable(value, charset) {
    var bytes = [];
    for (var i = 0; i < value.length; i++) {
      var hex = value.substr(i + 1, 2);
      if (value.charAt(i) === "=" && /^[0-9A-Fa-f]{2}$/.test(hex)) {
        bytes.push(parseInt(hex, 16));
        i += 2;
      } else {
        bytes.push(value.charCodeAt(i) & 0xff);
      }
    }
    try {
      return new TextDecoder(charset || "utf-8").decode(new Uint8Array(bytes));
    } catch (unknownCharset) {
      return new TextDecoder("utf-8").decode(new Uint8Array(bytes));
    }
  }

  // One content line: NAME;PARAM=value;TYPE=work:value (a group like "item1." dropped).
  function vcardLine(line) {
    var match = line.match(/^(?:[A-Za-z0-9-]+\.)?([A-Za-z0-9-]+)((?:;[^:]*)?):([\s\S]*)$/);
    if (!match) return null;
    var params = match[2].toUpperCase();
    var value = match[3];
    if (/QUOTED-PRINTABLE/.test(params)) {
      var charset = params.match(/CHARSET=([A-Z0-9_-]+)/);
      value = quotedPrintable(value, charset ? charset[1].toLowerCase() : "");
    }
    return {
      name: match[1].toUpperCase(),
      preferred: /PREF/.test(params),
      kinds: params,
      value: value,
    };
  }

  function firstOf(lines, test) {
    var preferred = lines.filter(function (l) {
      return l.preferred && test(l);
    });
    var all = lines.filter(test);
    return (preferred[0] || all[0] || null);
  }

  function parseVcard(text, website) {
    var start = text.search(/BEGIN:VCARD/i);
    var card = text.slice(start).replace(/\r\n?/g, "\n");
    var end = card.search(/\nEND:VCARD/i);
    if (end !== -1) card = card.slice(0, end);
    // vCard 2.1 soft line breaks inside quoted-printable values, then folded lines.
    card = card.replace(/=\n/g, function (match, offset) {
      var lineStart = card.lastIndexOf("\n", offset) + 1;
      return /QUOTED-PRINTABLE/i.test(card.slice(lineStart, offset)) ? "" : match;
    });
    card = card.replace(/\n[ \t]/g, "");
    var lines = card
      .split("\n")
      .map(vcardLine)
      .filter(function (line) {
        return line && line.value.trim();
      });
    var found = {};
    var notes = [];

    var fn = firstOf(lines, function (l) {
      return l.name === "FN";
    });
    if (fn) found.name = clean(unescapeValue(fn.value));
    var n = firstOf(lines, function (l) {
      return l.name === "N";
    });
    if (!found.name && n) {
      var parts = splitUnescaped(n.value, ";").map(unescapeValue);
      // family; given; additional; prefixes; suffixes
      found.name = clean([parts[3], parts[1], parts[2], parts[0], parts[4]].join(" "));
    }
    var org = firstOf(lines, function (l) {
      return l.name === "ORG";
    });
    if (org) found.organization_name = clean(unescapeValue(splitUnescaped(org.value, ";")[0]));
    var title = firstOf(lines, function (l) {
      return l.name === "TITLE";
    });
    if (title) found.title = clean(unescapeValue(title.value));
    var email = firstOf(lines, function (l) {
      return l.name === "EMAIL";
    });
    if (email) found.email = clean(unescapeValue(email.value)).replace(/^mailto:/i, "");
    var phone =
      firstOf(lines, function (l) {
        return l.name === "TEL" && /CELL|MOBILE/.test(l.kinds);
      }) ||
      firstOf(lines, function (l) {
        return l.name === "TEL";
      });
    if (phone) found.phone = clean(unescapeValue(phone.value)).replace(/^tel:/i, "");

    lines.forEach(function (line) {
      var value = clean(unescapeValue(line.value));
      if (line.name === "URL" || line.name === "X-SOCIALPROFILE" || line.name === "X-LINKEDIN") {
        var linkedin = linkedinUrl(value);
        if (linkedin && !found.linkedin_url) found.linkedin_url = linkedin;
        else if (!linkedin && line.name === "URL") notes.push(website + ": " + value);
      } else if (line.name === "NOTE") {
        notes.push(unescapeValue(line.value).trim());
      }
    });
    if (notes.length) found.notes = notes.join("\n");
    return Object.keys(found).length ? found : null;
  }

  // --- MECARD ----------------------------------------------------------------------------

  function parseMecard(text, website) {
    var body = text.trim().replace(/^MECARD:/i, "");
    var found = {};
    var notes = [];
    splitUnescaped(body, ";").forEach(function (field) {
      var colon = field.indexOf(":");
      if (colon === -1) return;
      var key = field.slice(0, colon).toUpperCase();
      var value = clean(unescapeValue(field.slice(colon + 1)));
      if (!value) return;
      if (key === "N" && !found.name) {
        // "Family,Given" (a comma written as such, not escaped)
        var names = splitUnescaped(field.slice(colon + 1), ",").map(function (part) {
          return clean(unescapeValue(part));
        });
        found.name = clean(names.length > 1 ? names.slice(1).concat(names[0]).join(" ") : names[0]);
      } else if (key === "ORG" && !found.organization_name) {
        found.organization_name = value;
      } else if (key === "TITLE" && !found.title) {
        found.title = value;
      } else if (key === "EMAIL" && !found.email) {
        found.email = value;
      } else if (key === "TEL" && !found.phone) {
        found.phone = value;
      } else if (key === "URL") {
        var linkedin = linkedinUrl(value);
        if (linkedin && !found.linkedin_url) found.linkedin_url = linkedin;
        else if (!linkedin) notes.push(website + ": " + value);
      } else if (key === "NOTE") {
        notes.push(value);
      }
    });
    if (notes.length) found.notes = notes.join("\n");
    return Object.keys(found).length ? found : null;
  }

  // `labels.website` names an address that is not LinkedIn's in the notes (the page's language).
  function parse(text, labels) {
    var website = (labels && labels.website) || "Website";
    text = (text || "").replace(/^\uFEFF/, "");
    if (/BEGIN:VCARD/i.test(text)) return parseVcard(text, website);
    if (/^\s*MECARD:/i.test(text)) return parseMecard(text, website);
    var linkedin = linkedinUrl(text);
    return linkedin ? { linkedin_url: linkedin } : null;
  }

  window.RapportContactCard = { parse: parse, linkedinUrl: linkedinUrl };
})();
