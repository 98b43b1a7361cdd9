-- Authorizations of the display app (the third-party or 代开发 app behind the display component
-- and the JS-SDK signatures), apart from the archive app's: the same corp has one of each, with its
-- own permanent code. Same shape as `corps`, keyed by corp_id.
CREATE TABLE display_corps (LIKE corps INCLUDING ALL);
