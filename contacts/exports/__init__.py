"""A student's contacts and data, out: CSV and vCard 4.0 (contacts.exports.contacts) and the
"download my data" ZIP (contacts.exports.data, registered with networking_app.accounts.my_data)."""
