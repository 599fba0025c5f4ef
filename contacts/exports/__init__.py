"""A student's contacts and data, out: CSV and vCard 4.0 (contacts.exports.contacts) and the
"download my data" ZIP (contacts.exports.data)."""
