{#- The table has exactly `expected` rows. -#}
{% test row_count(model, expected) %}

select count(*) as n_rows
from {{ model }}
having count(*) <> {{ expected }}

{% endtest %}
