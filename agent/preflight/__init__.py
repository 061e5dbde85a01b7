"""Before going live: does everything the policies name exist on the sites, and who is who.

``check`` runs these after its connection checks; ``users`` lists the people the
policies touch with their Slack match. All calls are reads.
"""
