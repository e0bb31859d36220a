"""A small Missouri agency as CSV text, shared by the CLI tests.

A1 and B2 have the same training except that B2's interpersonal course did not
cover implicit bias; T3 enforces traffic laws and so also owes racial profiling.
A1 meets every 2021 requirement.
"""

PEOPLE = """\
id,discipline,licensed_on,attributes
A1,peace-officer,2015-06-01,
B2,peace-officer,2015-06-01,
T3,peace-officer,2015-06-01,traffic-enforcement
"""

RECORDS = """\
person,date,hours,area,topics,delivery,provider,result,label
A1,2021-02-01,2,legal,legislative-update,live,approved-provider,,Law update
A1,2021-03-01,2,technical,,live,approved-provider,,Patrol procedures
A1,2021-04-01,2,interpersonal,implicit-bias;de-escalation,live,approved-provider,,Bias
A1,2021-05-01,4,skill-development,firearms,live,approved-provider,pass,Range day
A1,2021-06-01,14,technical,,online,other,,Online modules
B2,2021-02-01,2,legal,legislative-update,live,approved-provider,,Law update
B2,2021-03-01,2,technical,,live,approved-provider,,Patrol procedures
B2,2021-04-01,2,interpersonal,de-escalation,live,approved-provider,,Calm voices
B2,2021-05-01,4,skill-development,firearms,live,approved-provider,pass,Range day
B2,2021-06-01,14,technical,,online,other,,Online modules
"""
