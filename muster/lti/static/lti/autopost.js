// Sends the deep-linking answer back to the LMS at once (Deep Linking 2.0, 4.2).
document.getElementById("lti-autopost").submit();
