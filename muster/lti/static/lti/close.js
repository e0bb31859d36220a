// Tells the LMS that registration is over (Dynamic Registration 1.0, 3.7).
(window.opener || window.parent).postMessage({ subject: "org.imsglobal.lti.close" }, "*");
