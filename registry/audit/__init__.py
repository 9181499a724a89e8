"""The one audit log: who did what to which object, when and from where, with personal data masked."""
