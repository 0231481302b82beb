"""The operator window's appeal pages: the inbox, the appeal page and its actions,
registering an appeal, downloading attachments. Each module is one topic; views
parse the request, call one service, and render."""
