// Reads a JSON array of iCalendar texts on stdin; writes what ical.js (Mozilla's parser, used by
// Thunderbird) understood of each as a JSON array on stdout. A text it cannot parse becomes
// {"error": "..."} so the Python test shows the parser's own message.
import ICAL from "ical.js";

function read(text) {
  const root = new ICAL.Component(ICAL.parse(text));
  if (root.name !== "vcalendar") throw new Error(`top-level component is ${root.name}`);
  const zones = root.getAllSubcomponents("vtimezone").map((vtz) => {
    const zone = new ICAL.Timezone(vtz);
    ICAL.TimezoneService.register(zone, vtz.getFirstPropertyValue("tzid"));
    return zone.tzid;
  });
  const events = root.getAllSubcomponents("vevent").map((vevent) => {
    const event = new ICAL.Event(vevent);
    const organizer = vevent.getFirstProperty("organizer");
    const start = vevent.getFirstProperty("dtstart");
    return {
      uid: event.uid,
      sequence: event.sequence,
      status: vevent.getFirstPropertyValue("status"),
      summary: event.summary,
      description: event.description,
      location: event.location,
      url: vevent.getFirstPropertyValue("url"),
      organizer: organizer ? organizer.getFirstValue() : null,
      organizer_cn: organizer ? organizer.getParameter("cn") || null : null,
      attendees: event.attendees.map((a) => ({
        value: a.getFirstValue(),
        cn: a.getParameter("cn") || null,
        partstat: a.getParameter("partstat") || null,
        rsvp: a.getParameter("rsvp") || null,
      })),
      start_tzid: start ? start.getParameter("tzid") || null : null,
      start_utc: event.startDate.toUnixTime(),
      end_utc: event.endDate.toUnixTime(),
      start_zone_known: event.startDate.zone && event.startDate.zone.tzid !== "floating",
    };
  });
  return {
    method: root.getFirstPropertyValue("method"),
    version: root.getFirstPropertyValue("version"),
    prodid: root.getFirstPropertyValue("prodid"),
    timezones: zones,
    events,
  };
}

let input = "";
process.stdin.setEncoding("utf8");
process.stdin.on("data", (chunk) => (input += chunk));
process.stdin.on("end", () => {
  const out = JSON.parse(input).map((text) => {
    try {
      return read(text);
    } catch (error) {
      return { error: String(error && error.message ? error.message : error) };
    }
  });
  process.stdout.write(JSON.stringify(out));
});
