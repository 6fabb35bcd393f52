// Parse an iCalendar stream from stdin with ical.js (Thunderbird's parser) and print JSON.
// Used by tests/services/test_ical_js.py: it checks that a real client's parser reads the same
// instants as Python's zoneinfo, which it can only do if our VTIMEZONE is right.
import ICAL from "ical.js";

const chunks = [];
for await (const chunk of process.stdin) chunks.push(chunk);
const text = Buffer.concat(chunks).toString("utf8");

const calendar = new ICAL.Component(ICAL.parse(text));
// Register the file's own VTIMEZONEs before any DTSTART is read: ical.js resolves TZID lazily
// and silently falls back to floating (local) time for an unknown zone.
const timezones = [];
for (const vtimezone of calendar.getAllSubcomponents("vtimezone")) {
  const zone = new ICAL.Timezone(vtimezone);
  ICAL.TimezoneService.register(zone);
  timezones.push(zone.tzid);
}

const utc = (time) => time.convertToZone(ICAL.Timezone.utcTimezone).toString();
const unix = (time) => new Date(time.toUnixTime() * 1000).toISOString().replace(".000Z", "Z");

const events = calendar.getAllSubcomponents("vevent").map((vevent) => {
  const event = new ICAL.Event(vevent);
  const organizer = vevent.getFirstProperty("organizer");
  return {
    uid: event.uid,
    sequence: event.sequence,
    status: vevent.getFirstPropertyValue("status"),
    summary: event.summary,
    location: event.location,
    description: event.description,
    start_zone: event.startDate.zone ? event.startDate.zone.tzid : null,
    start_local: event.startDate.toString(),
    start_utc: utc(event.startDate),
    end_utc: utc(event.endDate),
    start_unix_utc: unix(event.startDate),
    end_unix_utc: unix(event.endDate),
    organizer: organizer
      ? { cn: organizer.getParameter("cn") ?? null, value: organizer.getFirstValue() }
      : null,
    attendees: vevent.getAllProperties("attendee").map((attendee) => ({
      cn: attendee.getParameter("cn") ?? null,
      partstat: attendee.getParameter("partstat") ?? null,
      value: attendee.getFirstValue(),
    })),
    alarms: vevent.getAllSubcomponents("valarm").map((alarm) => ({
      action: alarm.getFirstPropertyValue("action"),
      trigger: String(alarm.getFirstPropertyValue("trigger")),
    })),
  };
});

process.stdout.write(
  JSON.stringify({
    method: calendar.getFirstPropertyValue("method") ?? null,
    timezones,
    events,
  }),
);
