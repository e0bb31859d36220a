"""Agent keys made again with the identifier normalisation of IEEE 9274.1.1
(muster.xapi.identity): the domain of an mbox and the scheme and host of an IRI
in lower case, so that statements and documents stored before still match."""

from django.db import migrations

from muster.xapi.identity import normal_key

AGENT_ROLES = ("actor", "agent")


def rewrite(apps, schema_editor):
    StatementTerm = apps.get_model("xapi", "StatementTerm")
    Document = apps.get_model("xapi", "Document")
    terms = StatementTerm.objects.filter(role__in=AGENT_ROLES).only("value")
    changed = []
    for term in terms.iterator(chunk_size=2000):
        key = normal_key(term.value)[:2000]
        if key != term.value:
            term.value = key
            changed.append(term)
    StatementTerm.objects.bulk_update(changed, ["value"], batch_size=1000)
    documents = Document.objects.exclude(agent="").only("agent")
    changed = []
    for document in documents.iterator(chunk_size=2000):
        key = normal_key(document.agent)
        if key != document.agent:
            document.agent = key
            changed.append(document)
    Document.objects.bulk_update(changed, ["agent"], batch_size=1000)


class Migration(migrations.Migration):
    dependencies = [("xapi", "0001_initial")]

    operations = [migrations.RunPython(rewrite, migrations.RunPython.noop)]
